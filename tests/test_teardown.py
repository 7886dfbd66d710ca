"""`make clean` leaves nothing of the deployment behind: no container, no volume."""

from stack import FAKE_APIS, existing_volumes, project_containers, run


def test_make_clean_removes_containers_and_volumes(stack):
    run(["docker", "rm", "-f", FAKE_APIS], check=False)
    result = run(["make", "clean"], env=stack, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert project_containers() == []
    assert existing_volumes() == []
