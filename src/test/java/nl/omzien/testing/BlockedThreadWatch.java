package nl.omzien.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Vert.x's blocked-thread checker complained while it ran: no blocking call may run on
 * an event loop.
 */
public final class BlockedThreadWatch implements BeforeAllCallback, AfterAllCallback {
  private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  private ListAppender<ILoggingEvent> appender;

  @Override
  public void beforeAll(ExtensionContext context) {
    appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(CHECKER)).addAppender(appender);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ((Logger) LoggerFactory.getLogger(CHECKER)).detachAppender(appender);
    List<String> warnings = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    if (!warnings.isEmpty()) {
      throw new AssertionError("Vert.x reported blocked threads: " + warnings);
    }
  }
}
