"""Public intake URLs: tracking an application, its receipt and its result."""

from django.urls import path

from intake import counter, views

app_name = "intake"

urlpatterns = [
    path("", views.track, name="track_lookup"),
    path("<str:code>/", views.track, name="track"),
    path("<str:code>/receipt.pdf", views.receipt, name="receipt"),
    path("<str:code>/result/", views.result, name="result"),
]


# The counter lives in the staff workspace, at /workspace/counter/.
counter_urlpatterns = [
    path("", counter.counter, name="counter"),
    path("<slug:code>/", counter.counter_apply, name="counter_apply"),
    path("done/<str:code>/", counter.counter_done, name="counter_done"),
]
