from django.urls import path

from . import apis

app_name = "actionplans-api"

base = "authorities/<str:ons_code>/action-plans/"
plan = base + "<int:plan_year>/"

urlpatterns = [
    path(base, apis.PlanListCreateApi.as_view(), name="plans"),
    path(plan, apis.PlanDetailApi.as_view(), name="plan"),
    path(plan + "objectives/", apis.ObjectiveListCreateApi.as_view(), name="objectives"),
    path(plan + "objectives/<uuid:objective>/", apis.ObjectiveDetailApi.as_view(), name="objective"),
    path(plan + "actions/", apis.ActionListCreateApi.as_view(), name="actions"),
    path(plan + "actions/<uuid:action>/", apis.ActionDetailApi.as_view(), name="action"),
    path(plan + "quarters/<str:quarter>/updates/", apis.UpdateListCreateApi.as_view(), name="updates"),
]
