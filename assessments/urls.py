from django.urls import path

from assessments import views

urlpatterns = [
    path("quizzes/", views.QuizListCreateView.as_view(), name="quiz-list"),
    path("quizzes/reorder/", views.QuizReorderView.as_view(), name="quiz-reorder"),
    path("quizzes/stats/", views.QuizStatsView.as_view(), name="quiz-stats"),
    path("quizzes/<uuid:pk>/", views.QuizDetailView.as_view(), name="quiz-detail"),
    path("modules/<uuid:pk>/quiz-attempts/", views.QuizAttemptCreateView.as_view(), name="quiz-attempt-create"),
    path("quiz-results/", views.QuizResultListView.as_view(), name="quiz-result-list"),
]
