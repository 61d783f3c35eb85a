package nl.omzien.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The HS256 secret for local tokens: {@code OMZIEN_JWT_SECRET} when set, else a random secret kept in
 * {@code <dataDir>/local-jwt.secret} (owner-only), made on first use so the server and the {@code token}
 * command agree. Blocking file I/O: call at start, off the event loop.
 */
public final class SigningKey {
  private static final String FILE = "local-jwt.secret";

  private SigningKey() {
  }

  public static String load(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.createDirectories(dataDir);
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the directory's own permissions apply
      }
      return secret;
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      return load(configured, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or create " + file, e);
    }
  }
}
