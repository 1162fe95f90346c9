"""The OpenAI-compatible back end, with the real ``openai`` client against a local fake server.

The fake server (``http.server`` on 127.0.0.1, a random port) speaks enough of
``POST /v1/chat/completions`` for the client: it records what it receives and answers from a
script of behaviours (an answer, an HTTP error, a stall longer than the client's timeout).
"""

from __future__ import annotations

import doctest
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("openai")

from soar.agents import SampleRequest, SamplingConfig, make_policy  # noqa: E402
from soar.agents.backends.openai import OpenAIPolicy, parse_target, retry_after_seconds  # noqa: E402
from soar.agents.policy import Conversation  # noqa: E402
from soar.agents.prompts import SYSTEM_PROMPT, sample_prompt  # noqa: E402
from soar.agents.registry import PolicyError  # noqa: E402
from soar.arc_env import load_tasks  # noqa: E402

ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]"
ANSWER = f"The output is the input turned by 180 degrees.\n```python\n{ROTATE}\n```"
PROMPT_TOKENS = 321
TOKENS_PER_CHOICE = 7


class FakeServer:
    """A chat-completions server in a thread. ``script`` entries are used first, one per request:
    ``("ok",)``, ``("status", code, headers, message)`` or ``("stall", seconds)``; after that every
    request gets ``default``. ``max_choices`` caps the choices per answer (1: ignores ``n``);
    ``fail_marker`` makes any request whose last message contains it a 400."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[tuple] = []
        self.default: tuple = ("ok",)
        self.max_choices: int | None = None
        self.fail_marker: str | None = None
        self.work_seconds = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        self.stopped = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def _next_behaviour(self, body: dict) -> tuple:
        with self.lock:
            last = body.get("messages", [{}])[-1].get("content", "")
            if self.fail_marker and self.fail_marker in last:
                return ("status", 400, {}, "prompt rejected by the fake server")
            return self.script.pop(0) if self.script else self.default

    def _completion(self, body: dict) -> dict:
        n = int(body.get("n") or 1)
        if self.max_choices is not None:
            n = min(n, self.max_choices)
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "?"),
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": ANSWER},
                    "finish_reason": "length" if i == 1 else "stop",
                }
                for i in range(n)
            ],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": TOKENS_PER_CHOICE * n,
                "total_tokens": PROMPT_TOKENS + TOKENS_PER_CHOICE * n,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, payload: dict, headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.received.append(body)
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if self.path != "/v1/chat/completions":
                        self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                        return
                    behaviour = server._next_behaviour(body)
                    if server.work_seconds:
                        server.release.wait(server.work_seconds)
                    if behaviour[0] == "stall":
                        server.release.wait(behaviour[1])
                        behaviour = ("ok",)
                    if behaviour[0] == "status":
                        _, code, headers, message = behaviour
                        self._send(code, {"error": {"message": message, "code": code}}, headers)
                    else:
                        self._send(200, server._completion(body), {})
                finally:
                    with server.lock:
                        server.in_flight -= 1

        return Handler


@pytest.fixture
def make_server() -> Iterator[Callable[[], FakeServer]]:
    servers: list[FakeServer] = []

    def start() -> FakeServer:
        servers.append(FakeServer())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server: Callable[[], FakeServer]) -> FakeServer:
    return make_server()


@pytest.fixture(scope="module")
def task():
    return load_tasks("arc1/train:3c9b0459")[0]


def policy_for(*servers: FakeServer, **options: object) -> OpenAIPolicy:
    options = {"max_retries": 2, "backoff_base": 0.01, "timeout": 5.0, **options}
    urls = ",".join(s.url for s in servers)
    return OpenAIPolicy.from_spec(
        f"{urls}#tiny", sampling=options.pop("sampling", SamplingConfig()), prompts=None, **options
    )


def conversation(text: str = "hello", n: int = 1) -> Conversation:
    return Conversation([{"role": "user", "content": text}], n=n, max_new_tokens=64)


def test_n_choices_usage_and_program_extraction(server: FakeServer, task) -> None:
    with policy_for(server) as policy:
        [completions] = policy.generate([SampleRequest(task, n=3)])
    assert len(server.received) == 1
    assert len(completions) == 3
    for completion in completions:
        assert completion.program == ROTATE
        assert completion.invalid_reason is None
        assert completion.text == ANSWER
        assert completion.prompt_tokens == PROMPT_TOKENS
        assert completion.completion_tokens == TOKENS_PER_CHOICE
        assert completion.policy_id == f"openai:tiny@{server.url}"
    assert [c.finish_reason for c in completions] == ["stop", "length", "stop"]


def test_rate_limit_then_success(server: FakeServer) -> None:
    server.script = [("status", 429, {"Retry-After": "0"}, "slow down")]
    with policy_for(server, backoff_base=30.0) as policy:  # Retry-After: 0 wins over backoff
        started = time.monotonic()
        [answers] = policy.complete([conversation(n=2)])
    assert time.monotonic() - started < 5
    assert len(server.received) == 2
    assert [a.finish_reason for a in answers] == ["stop", "length"]
    assert all(a.text == ANSWER for a in answers)


def test_server_error_every_time_gives_error_records(server: FakeServer, task) -> None:
    server.default = ("status", 500, {}, "engine crashed")
    with policy_for(server, max_retries=2) as policy:
        [completions] = policy.generate([SampleRequest(task, n=2)])
    assert len(server.received) == 3  # the first attempt and two retries
    assert len(completions) == 2
    for completion in completions:
        assert completion.finish_reason == "error"
        assert completion.program is None
        assert completion.text == ""
        assert "500" in completion.invalid_reason
        assert "engine crashed" in completion.invalid_reason
        assert "3 attempts" in completion.invalid_reason


def test_client_error_is_not_retried_and_spares_the_batch(server: FakeServer) -> None:
    server.fail_marker = "BAD"
    with policy_for(server, concurrency=3) as policy:
        answers = policy.complete(
            [conversation("ok 1", n=2), conversation("BAD", n=2), conversation("ok 2")]
        )
    assert len(server.received) == 3  # one request each: the 400 is not retried
    assert [len(a) for a in answers] == [2, 2, 1]
    assert all(a.text == ANSWER for a in answers[0] + answers[2])
    for record in answers[1]:
        assert record.finish_reason == "error"
        assert "HTTP 400" in record.error_message
        assert "prompt rejected by the fake server" in record.error_message


def test_timeout_is_retried_then_gives_error_records(server: FakeServer) -> None:
    server.default = ("stall", 10.0)  # released when the server stops
    with policy_for(server, timeout=0.2, max_retries=1) as policy:
        started = time.monotonic()
        [answers] = policy.complete([conversation(n=2)])
    assert time.monotonic() - started < 3
    assert len(server.received) == 2
    assert [a.finish_reason for a in answers] == ["error", "error"]
    assert "timeout" in answers[0].error_message
    assert "2 attempts" in answers[0].error_message


def test_unreachable_server_gives_error_records(make_server: Callable[[], FakeServer]) -> None:
    server = make_server()
    server.stop()  # nothing listens on its port any more
    with policy_for(server, max_retries=1) as policy:
        [answers] = policy.complete([conversation()])
    assert answers[0].finish_reason == "error"
    assert "cannot reach" in answers[0].error_message


def test_round_robin_over_two_servers(make_server: Callable[[], FakeServer]) -> None:
    first, second = make_server(), make_server()
    with policy_for(first, second, concurrency=2) as policy:
        answers = policy.complete([conversation(f"q{i}") for i in range(6)])
        assert policy.policy_id == f"openai:tiny@{first.url}"
    assert all(a[0].text == ANSWER for a in answers)
    assert len(first.received) == 3
    assert len(second.received) == 3


def test_request_fields_and_api_key(server: FakeServer, task, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_SERVER_KEY", "sekrit")
    sampling = SamplingConfig(temperature=0.7, top_p=0.9, min_p=0.05, seed=11)
    with policy_for(server, sampling=sampling, api_key_env="FAKE_SERVER_KEY") as policy:
        policy.generate([SampleRequest(task, n=4)])
    [body] = server.received
    assert body["model"] == "tiny"
    assert body["n"] == 4
    assert body["temperature"] == 0.7
    assert body["top_p"] == 0.9
    assert body["min_p"] == 0.05
    assert body["seed"] == 11
    assert body["max_tokens"] == sampling.max_new_tokens_sample
    assert body["messages"] == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": sample_prompt(task)},
    ]
    assert server.headers[0]["authorization"] == "Bearer sekrit"


def test_min_p_can_be_left_out_and_extra_body_is_sent(server: FakeServer, monkeypatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VARIABLE", raising=False)
    options = {
        "send_min_p": False,
        "extra_body": {"top_k": 20},
        "api_key_env": "NO_SUCH_KEY_VARIABLE",
    }
    with policy_for(server, **options) as policy:
        policy.complete([conversation()])
    [body] = server.received
    assert "min_p" not in body
    assert "seed" not in body
    assert body["top_k"] == 20
    assert server.headers[0]["authorization"] == "Bearer EMPTY"


def test_make_policy_and_malformed_specs(server: FakeServer) -> None:
    policy = make_policy(f"openai:{server.url}#tiny", max_retries=0)
    try:
        assert isinstance(policy, OpenAIPolicy)
        [[answer]] = policy.complete([conversation()])
        assert answer.text == ANSWER
    finally:
        policy.close()
    with pytest.raises(ValueError, match="names no model"):
        make_policy(f"openai:{server.url}")
    with pytest.raises(ValueError, match="http:// or https://"):
        make_policy("openai:127.0.0.1:8000/v1#tiny")
    with pytest.raises(ValueError, match="http:// or https://"):
        make_policy(f"openai:{server.url},#tiny")
    with pytest.raises(PolicyError):
        make_policy("openai")
    assert parse_target(f" {server.url}/ , {server.url} #tiny") == ([server.url] * 2, "tiny")


def test_server_ignoring_n_is_asked_again(server: FakeServer) -> None:
    server.max_choices = 1
    sampling = SamplingConfig(seed=5)
    with policy_for(server, sampling=sampling) as policy:
        [answers] = policy.complete([conversation(n=3)])
    assert len(answers) == 3
    assert all(a.text == ANSWER and a.completion_tokens == TOKENS_PER_CHOICE for a in answers)
    assert [body["n"] for body in server.received] == [3, 2, 1]
    assert [body["seed"] for body in server.received] == [5, 6, 7]


def test_at_most_concurrency_requests_in_flight(server: FakeServer) -> None:
    server.work_seconds = 0.1
    with policy_for(server, concurrency=2) as policy:
        answers = policy.complete([conversation(f"q{i}") for i in range(6)])
    assert len(answers) == 6
    assert len(server.received) == 6
    assert server.max_in_flight == 2


def test_retry_after_header_parsing() -> None:
    assert retry_after_seconds({"retry-after": "0"}) == 0.0
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    assert retry_after_seconds({"retry-after-ms": "20", "retry-after": "9"}) == 0.02
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_closed_policy_refuses_work(server: FakeServer) -> None:
    policy = policy_for(server)
    policy.close()
    policy.close()
    with pytest.raises(RuntimeError, match="closed"):
        policy.complete([conversation()])


def test_doctests() -> None:
    import soar.agents.backends.openai as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
