package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.net.SocketException;
import java.util.Optional;
import nl.omzien.errors.DomainException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Failures become the right problem")
class ProblemsTest {

  private static PgException pg(String state) {
    return new PgException("ERROR: something", "ERROR", state, null);
  }

  @Test
  @DisplayName("values PostgreSQL refuses (a NUL in text, any data exception) are 422, never 500")
  void dataExceptions() {
    Problem nul = Problems.toProblem(pg("22021"), -1);
    assertEquals(ProblemType.INVALID_INPUT, nul.type());
    assertEquals(Optional.of("invalid-character"), nul.code());
    assertEquals(ProblemType.INVALID_INPUT, Problems.toProblem(pg("22012"), -1).type());
    assertEquals(ProblemType.INTERNAL, Problems.toProblem(pg("42P01"), -1).type(), "our own SQL errors stay 500");
  }

  @Test
  @DisplayName("a database connection that is refused, reset or closed is 503 with Retry-After")
  void databaseGone() {
    Problem reset = Problems.toProblem(new RuntimeException(new SocketException("Connection reset")), -1);
    assertEquals(ProblemType.UNAVAILABLE, reset.type());
    assertEquals(Optional.of(5), reset.retryAfterSeconds());
    assertEquals(ProblemType.UNAVAILABLE, Problems.toProblem(pg("57P01"), -1).type(), "admin shutdown");
    // What NIO throws when the pool writes to a connection PostgreSQL has just closed (seen in DatabaseOutageTest).
    assertEquals(ProblemType.UNAVAILABLE, Problems.toProblem(new IOException("Connection reset by peer"), -1)
        .type(), "a write to a reset connection");
    assertEquals(ProblemType.UNAVAILABLE, Problems.toProblem(new IOException("Broken pipe"), -1).type());
    assertEquals(ProblemType.INTERNAL, Problems.toProblem(new IOException("No space left on device"), -1)
        .type(), "other I/O failures stay 500");
  }

  @Test
  @DisplayName("an undecodable request is 400 malformed-request; a rate limit is 429 with its wait")
  void requestLevel() {
    assertEquals(ProblemType.MALFORMED_REQUEST, Problems.toProblem(
        new HttpException(400, "bad", new IllegalArgumentException("invalid hex byte")), -1).type());
    assertEquals(ProblemType.MALFORMED_REQUEST, Problems.toProblem(new IllegalArgumentException("x"), 400).type());
    Problem limited = Problems.toProblem(new DomainException.TooManyRequests("slow down", 7), -1);
    assertEquals(ProblemType.RATE_LIMITED, limited.type());
    assertEquals(Optional.of(7), limited.retryAfterSeconds());
  }
}
