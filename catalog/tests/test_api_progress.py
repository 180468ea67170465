def test_lesson_complete_is_documented_as_answering_the_enrollment():
    # The schema says what the route answers (a decorator placed above the wrong action once said Lesson).
    from drf_spectacular.generators import SchemaGenerator

    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/lessons/{id}/complete/"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Enrollment")
    assert operation["summary"].startswith("Mark a lesson done")
