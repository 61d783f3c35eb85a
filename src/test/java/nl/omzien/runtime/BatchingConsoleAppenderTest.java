package nl.omzien.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The batching console appender")
class BatchingConsoleAppenderTest {
  private final LoggerContext context = new LoggerContext();

  {
    context.setMDCAdapter(new LogbackMDCAdapter());
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  /** Records each write as one chunk; optionally holds the first write until released. */
  private static final class Chunks extends OutputStream {
    final List<String> chunks = new ArrayList<>();
    final CountDownLatch release;
    final CountDownLatch writing = new CountDownLatch(1);

    Chunks(boolean hold) {
      release = new CountDownLatch(hold ? 1 : 0);
    }

    @Override
    public void write(int b) {
      throw new AssertionError("lines are written in batches, not byte by byte");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (chunks) {
        chunks.add(new String(b, off, len, StandardCharsets.UTF_8));
      }
    }

    List<String> lines() {
      synchronized (chunks) {
        return chunks.stream().flatMap(c -> Arrays.stream(c.split("\n"))).toList();
      }
    }
  }

  private Logger logger(OutputStream out, int queueSize) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %logger %msg%n");
    encoder.start();
    BatchingConsoleAppender appender = new BatchingConsoleAppender();
    appender.setContext(context);
    appender.setName("test");
    appender.setEncoder(encoder);
    appender.setQueueSize(queueSize);
    appender.setOutputStream(out);
    appender.start();
    assertTrue(appender.isStarted());
    Logger logger = context.getLogger("t");
    logger.setAdditive(false);
    logger.addAppender(appender);
    return logger;
  }

  @Test
  @DisplayName("writes every line of many threads exactly once, in each thread's order, in batches of whole lines")
  void everyLineOnceInOrder() throws Exception {
    Chunks out = new Chunks(false);
    Logger logger = logger(out, 1_000_000);
    int threads = 4;
    int perThread = 20_000;
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread writer = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          logger.info("{} {}", thread, i);
        }
      });
      writer.start();
      writers.add(writer);
    }
    for (Thread writer : writers) {
      writer.join();
    }
    context.stop(); // writes what is queued

    List<String> lines = out.lines();
    assertEquals(threads * perThread, lines.size());
    int[] next = new int[threads];
    for (String line : lines) {
      String[] parts = line.split(" ");
      assertEquals("INFO t", parts[0] + " " + parts[1], line);
      int thread = Integer.parseInt(parts[2]);
      assertEquals(next[thread]++, Integer.parseInt(parts[3]), "thread " + thread + "'s lines in order");
    }
    synchronized (out.chunks) {
      assertTrue(out.chunks.stream().allMatch(chunk -> chunk.endsWith("\n")), "every write ends a line");
      assertTrue(out.chunks.size() < lines.size() / 10,
          out.chunks.size() + " writes for " + lines.size() + " lines: batched");
    }
  }

  @Test
  @DisplayName("when the console stalls, INFO past 80 % of the queue is dropped and counted, WARN and ERROR are kept")
  void dropsInfoWhenFull() throws Exception {
    Chunks out = new Chunks(true);
    Logger logger = logger(out, 100);
    logger.info("first");
    assertTrue(out.writing.await(10, TimeUnit.SECONDS), "the writer is stuck in its first write");
    for (int i = 0; i < 200; i++) {
      logger.info("info {}", i);
    }
    for (int i = 0; i < 50; i++) {
      logger.warn("warn {}", i);
    }
    logger.error("error");
    out.release.countDown();
    context.stop();

    List<String> lines = out.lines();
    assertEquals("INFO t first", lines.get(0));
    List<String> infos = lines.stream().filter(l -> l.startsWith("INFO t info")).toList();
    assertEquals(80, infos.size(), "INFO is queued up to 80 % of 100");
    assertEquals("INFO t info 79", infos.get(79));
    assertEquals(50, lines.stream().filter(l -> l.startsWith("WARN t warn")).count(), "WARN is never dropped");
    assertTrue(lines.contains("ERROR t error"));
    assertTrue(lines.contains("WARN " + BatchingConsoleAppender.class.getName()
        + " 120 log events of level INFO and below dropped: the log queue was full"), String.join("\n", lines));
  }

  @Test
  @DisplayName("an event that cannot be encoded is skipped; the writer goes on with the next lines")
  void badEventDoesNotStopTheWriter() throws Exception {
    Chunks out = new Chunks(false);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder() {
      @Override
      public byte[] encode(ch.qos.logback.classic.spi.ILoggingEvent event) {
        if (event.getFormattedMessage().equals("poison")) {
          throw new IllegalStateException("cannot encode");
        }
        return super.encode(event);
      }
    };
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    BatchingConsoleAppender appender = new BatchingConsoleAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    Logger logger = context.getLogger("t");
    logger.addAppender(appender);
    logger.info("before");
    logger.info("poison");
    logger.info("after");
    context.stop();
    assertEquals(List.of("before", "after"), out.lines());
  }

  @Test
  @DisplayName("is what the server's logback.xml configures for the root logger")
  void configuredByLogbackXml() throws Exception {
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(BatchingConsoleAppenderTest.class.getResource("/logback.xml"));
    var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("BATCHED");
    assertInstanceOf(BatchingConsoleAppender.class, appender);
    assertTrue(appender.isStarted());
  }
}
