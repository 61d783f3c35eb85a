package nl.omzien.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The console appender of the server (one access line per request): callers add events to a lock-free queue and
 * never wake anyone; one writer thread polls the queue, encodes what it finds and writes it to standard output in
 * batches of whole lines, one {@code write} per batch.
 *
 * <p>Why (issue #6): with logback's {@code AsyncAppender} in front of a {@code ConsoleAppender}, async-profiler of
 * the nearby-activities run put ~6 % of the event loops' CPU in handing over the access line (its blocking queue
 * signals the sleeping writer on every put: a futex wake-up per request), and the writer thread took another ~7 % of
 * the process, one console {@code write} and flush per line.
 *
 * <p>Rules, as the {@code AsyncAppender} set-up had them: when the queue holds 80 % of {@code queueSize}, events
 * of level INFO and below are dropped (and their number is written as a WARN line once there is room); WARN and
 * ERROR are always queued. A line reaches the console within {@value #MAX_PARK_MS} ms. {@link #stop()} (logback's
 * context stop, which {@code Main} does before exiting) writes everything queued. Batches go through
 * {@code System.out}'s own lock, so lines of other appenders on standard output are never cut into.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  /** The writer polls at least this often while events come, backing off to {@link #MAX_PARK_MS} when idle. */
  private static final long MIN_PARK_MS = 1;
  private static final long MAX_PARK_MS = 16;
  private static final int MAX_BATCH_BYTES = 64 * 1024;
  private static final long STOP_WAIT_MS = 2_000;

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  private OutputStream out = System.out;

  private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final ByteArrayOutputStream batch = new ByteArrayOutputStream(MAX_BATCH_BYTES);
  private volatile boolean running;
  private Thread writer;
  private boolean writeFailed;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** Where batches go (standard output unless a test says otherwise); set before {@link #start()}. */
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    if (queueSize < 1) {
      addError("queueSize must be at least 1: " + queueSize);
      return;
    }
    running = true;
    writer = new Thread(this::writeLoop, "omzien-log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().toInt() <= Level.INFO_INT && queued.get() >= queueSize / 5 * 4) {
      dropped.incrementAndGet();
      return;
    }
    // As AsyncAppender does: the message and MDC are fixed now, on the caller's thread.
    event.prepareForDeferredProcessing();
    queued.incrementAndGet();
    queue.offer(event);
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(STOP_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      addWarn("the log writer did not finish within " + STOP_WAIT_MS + " ms; " + queued.get() + " events lost");
    }
  }

  private void writeLoop() {
    long park = MIN_PARK_MS;
    while (running) {
      if (drain() > 0) {
        park = MIN_PARK_MS;
      } else {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(park));
        park = Math.min(MAX_PARK_MS, park * 2);
      }
    }
    drain();
  }

  /** Writes everything queued now, in batches of whole lines; answers how many events were written. */
  private int drain() {
    int written = 0;
    ILoggingEvent event;
    while ((event = queue.poll()) != null) {
      queued.decrementAndGet();
      try {
        add(encoder.encode(event));
        written++;
      } catch (RuntimeException e) {
        // One event that cannot be encoded must not end the writer thread, and with it all logging.
        addError("could not encode a log event of " + event.getLoggerName(), e);
      }
    }
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      LoggingEvent report = new LoggingEvent(BatchingConsoleAppender.class.getName(),
          ((LoggerContext) getContext()).getLogger(BatchingConsoleAppender.class),
          Level.WARN, "{} log events of level INFO and below dropped: the log queue was full",
          null, new Object[] {lost});
      add(encoder.encode(report));
    }
    flush();
    return written;
  }

  private void add(byte[] line) {
    if (batch.size() > 0 && batch.size() + line.length > MAX_BATCH_BYTES) {
      flush();
    }
    batch.write(line, 0, line.length);
  }

  private void flush() {
    if (batch.size() == 0) {
      return;
    }
    try {
      synchronized (out) {
        batch.writeTo(out);
        out.flush();
      }
      writeFailed = false;
    } catch (IOException e) {
      if (!writeFailed) {
        addError("writing log lines failed", e);
        writeFailed = true;
      }
    } finally {
      batch.reset();
    }
  }
}
