package nl.omzien.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, driven headless from a test: renders a page (running its scripts for a virtual-time
 * budget) and returns the DOM after the scripts ran, or saves a screenshot. Installs the {@code chromium}
 * package on first use when it is missing and we are root on a Debian machine, so the README's test command
 * works on a fresh machine without a manual step.
 */
public final class HeadlessChromium {
  private static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final int TIMEOUT_SECONDS = 90;
  private static volatile boolean checked;

  private HeadlessChromium() {
  }

  /** The DOM after the page's scripts ran for {@code budgetMillis} of virtual time. */
  public static String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
    List<String> command = base(budgetMillis);
    command.add("--dump-dom");
    command.add(url);
    return run(command);
  }

  /** Saves a PNG screenshot of the page at {@code width x height}. */
  public static Path screenshot(String url, Path png, int width, int height, int budgetMillis)
      throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    List<String> command = base(budgetMillis);
    command.add("--window-size=" + width + "," + height);
    command.add("--screenshot=" + png.toAbsolutePath());
    command.add(url);
    run(command);
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IOException("Chromium wrote no screenshot to " + png);
    }
    return png;
  }

  private static List<String> base(int budgetMillis) throws IOException, InterruptedException {
    ensureInstalled();
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
        "--user-data-dir=" + Files.createTempDirectory("omzien-chromium"),
        "--virtual-time-budget=" + budgetMillis));
    return command;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("chromium", ".out");
    Path err = Files.createTempFile("chromium", ".err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException("Chromium exited with " + process.exitValue() + ": "
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** Installs Debian's chromium when it is missing (needs root and apt; fails with a clear message otherwise). */
  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    if (checked || Files.isExecutable(BINARY)) {
      checked = true;
      return;
    }
    Process install = new ProcessBuilder("sh", "-c",
        "command -v apt-get >/dev/null && [ \"$(id -u)\" = 0 ] && "
            + "(apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium))")
        .inheritIO().start();
    if (!install.waitFor(15, TimeUnit.MINUTES) || install.exitValue() != 0 || !Files.isExecutable(BINARY)) {
      throw new IOException("Browser tests need Debian's chromium at " + BINARY
          + " (apt-get install chromium); installing it failed");
    }
    checked = true;
  }
}
