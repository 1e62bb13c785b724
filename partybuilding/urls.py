

app_name = "partybuilding"
urlpatterns = [

]
