package nl.omzien.bench.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request of a load plan, as a line of a plan file that both the wrk script
 * ({@code src/scripts/load/replay.lua}) and {@link RateClient} replay: {@code METHOD \t PATH \t TOKEN \t BODY},
 * with {@code -} for "no token" or "no body". Bodies are single-line JSON, so no field holds a tab or newline.
 */
public record LoadRequest(String method, String path, String token, String body) {

  public LoadRequest {
    for (String field : new String[] {method, path, token, body}) {
      if (field == null || field.isEmpty() || field.indexOf('\t') >= 0 || field.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("a plan field must be non-empty, without tabs or newlines: " + field);
      }
    }
  }

  /** A request without a body. */
  public static LoadRequest get(String path, String token) {
    return new LoadRequest("GET", path, token, "-");
  }

  public boolean hasBody() {
    return !body.equals("-");
  }

  public boolean hasToken() {
    return !token.equals("-");
  }

  public String line() {
    return method + '\t' + path + '\t' + token + '\t' + body;
  }

  public static LoadRequest parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 4) {
      throw new IllegalArgumentException("a plan line has 4 tab-separated fields, not " + f.length);
    }
    return new LoadRequest(f[0], f[1], f[2], f[3]);
  }

  public static void write(Path file, List<LoadRequest> requests) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (LoadRequest r : requests) {
        out.write(r.line());
        out.write('\n');
      }
    }
  }

  public static List<LoadRequest> read(Path file) throws IOException {
    List<LoadRequest> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(parse(line));
      }
    }
    return out;
  }
}
