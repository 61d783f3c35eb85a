package nl.omzien.config;

/** Bad configuration: the message is one line, naming the setting and what is wrong with it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
