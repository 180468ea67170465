from django.urls import path

from assessments import views

urlpatterns = [
    path("quizzes/", views.QuizListCreateView.as_view(), name="quiz-list"),
    path("quizzes/reorder/", views.QuizReorderView.as_view(), name="quiz-reorder"),
    path("quizzes/stats/", views.QuizStatsView.as_view(), name="quiz-stats"),
    path("quizzes/<uuid:pk>/", views.QuizDetailView.as_view(), name="quiz-detail"),
    path("modules/<uuid:pk>/quiz-attempts/", views.QuizAttemptCreateView.as_view(), name="quiz-attempt-create"),
    path("modules/<uuid:pk>/quiz-attempts/start/", views.QuizAttemptStartView.as_view(), name="quiz-attempt-start"),
    path("modules/<uuid:pk>/quizzes/import/", views.QuizImportView.as_view(), name="quiz-import"),
    path("quiz-attempts/<uuid:pk>/", views.QuizAttemptDetailView.as_view(), name="quiz-attempt-detail"),
    path("quiz-attempts/<uuid:pk>/submit/", views.QuizAttemptSubmitView.as_view(), name="quiz-attempt-submit"),
    path("quiz-results/", views.QuizResultListView.as_view(), name="quiz-result-list"),
]
