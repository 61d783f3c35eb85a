package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow clients against the real server with short deadlines (1 s head, 1 s body, 2 s idle). A client that
 * trickles bytes keeps resetting an idle timeout, so these check the deadlines that do not reset.
 */
@DisplayName("Slow clients cannot hold connections (OWASP API4)")
@ExtendWith(BlockedThreadWatch.class)
class SlowClientTest {
  /** Far beyond every deadline configured here: a connection still open by then is held for ever. */
  private static final long GIVE_UP_MS = 15_000;
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("slowclients", Map.of(
        "OMZIEN_HTTP_HEADER_TIMEOUT_SECONDS", "1",
        "OMZIEN_HTTP_BODY_TIMEOUT_SECONDS", "1",
        "OMZIEN_HTTP_IDLE_TIMEOUT_SECONDS", "2"));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("localhost", app.app().httpPort());
    socket.setSoTimeout(200);
    return socket;
  }

  /** True when the server has closed the connection (end of stream or reset); drains what it sent into {@code into}. */
  private static boolean closedByServer(Socket socket, ByteArrayOutputStream into) {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          return true;
        }
        into.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  @DisplayName("slowloris: request head sent byte by byte, with endless headers, is cut off")
  void slowHead() throws Exception {
    byte[] start = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] filler = "X-Padding: a\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      long deadline = System.currentTimeMillis() + GIVE_UP_MS;
      int sent = 0;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < deadline) {
        byte next = sent < start.length ? start[sent] : filler[(sent - start.length) % filler.length];
        try {
          out.write(next);
          out.flush();
          sent++;
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = closedByServer(socket, received); // waits up to 200 ms per byte
      }
      assertTrue(closed, "the server still held the connection after " + sent + " bytes");
      assertEquals(0, received.size(), "there was no complete request, so no response");
    }
  }

  @Test
  @DisplayName("a connection that opens and sends nothing is closed")
  void silentConnection() throws Exception {
    try (Socket socket = connect()) {
      long deadline = System.currentTimeMillis() + GIVE_UP_MS;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < deadline) {
        closed = closedByServer(socket, new ByteArrayOutputStream());
      }
      assertTrue(closed);
    }
  }

  @Test
  @DisplayName("a body that trickles in is answered 408 request-timeout (problem+json) and the connection closed")
  void slowBody() throws Exception {
    String token = app.token(Role.RESIDENT);
    String head = "PUT /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      long deadline = System.currentTimeMillis() + GIVE_UP_MS;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < deadline) {
        try {
          out.write(' ');
          out.flush();
        } catch (IOException e) {
          closed = true;
          closedByServer(socket, received);
          break;
        }
        closed = closedByServer(socket, received);
      }
      assertTrue(closed, "the server still waited for the body");
      String response = received.toString(StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 408"), response);
      assertTrue(response.contains("application/problem+json"), response);
      assertTrue(response.contains("https://omzien.nl/problems/request-timeout"), response);
    }
  }

  @Test
  @DisplayName("a normal client is not affected: several requests on one kept-alive connection all succeed")
  void keepAlive() throws Exception {
    try (Socket socket = connect()) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 3; i++) {
        out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readResponse(in);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        TimeUnit.MILLISECONDS.sleep(500); // a think time below the idle timeout (2 s), above the head timeout (1 s)/2
      }
    }
  }

  /** Reads one response with a Content-Length body. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return text + new String(body, StandardCharsets.UTF_8);
  }
}
