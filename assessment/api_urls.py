app_name = "assessment_api"
urlpatterns: list = []
