from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("councils/<str:ons_code>/history/", views.council_history, name="council_history"),
    path("national/history/", views.national_history, name="national_history"),
]
