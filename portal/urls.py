from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("national/authorities/", views.authority_list, name="authority_list"),
    path("councils/<str:ons_code>/", views.council_home, name="council_home"),
]
