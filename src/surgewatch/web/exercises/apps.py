from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "surgewatch.web.exercises"
    label = "exercises"
    verbose_name = "Exercises: scripted scenarios replayed through the plan's rules (issue 7)"
