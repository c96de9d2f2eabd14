package io.ringserve.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options the packaged server's {@code serve} command knows (from its {@code --help}), and the
 * deployment's arguments made runnable against it.
 *
 * <p>The chart and the KServe runtime are written against flags that other issues add: the HTTP
 * front end ({@code --http-port}), graceful draining ({@code --shutdown-drain-delay}, {@code
 * --exit-timeout-secs}) and {@code --model-store}, an alias of {@code --model-repository}. Until
 * the server has them, {@link #runnable} leaves those out ({@code --model-store} becomes {@code
 * --model-repository}); once it has them, the arguments run unchanged and the tests' HTTP and
 * draining checks switch on by themselves. Any other flag the server does not know fails.
 */
final class ServerFlags {
  /** Flags that the chart passes and that issues still in progress add to the server. */
  static final Set<String> PENDING =
      Set.of("--http-port", "--shutdown-drain-delay", "--exit-timeout-secs", "--model-store");

  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
  private static Set<String> known;

  private ServerFlags() {}

  /** The options in {@code ringserve serve --help}; runs the jar once per JVM. */
  static synchronized Set<String> known() throws IOException, InterruptedException {
    if (known == null) {
      Process help =
          new ProcessBuilder(
                  System.getProperty("java.home") + "/bin/java",
                  "-jar",
                  DeployFiles.serverHome().resolve("ringserve-server.jar").toString(),
                  "serve",
                  "--help")
              .redirectErrorStream(true)
              .start();
      String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!help.waitFor(60, TimeUnit.SECONDS) || help.exitValue() != 0) {
        throw new IllegalStateException("ringserve serve --help failed:\n" + text);
      }
      Set<String> options = new TreeSet<>();
      Matcher m = OPTION.matcher(text);
      while (m.find()) {
        options.add(m.group(1));
      }
      known = options;
    }
    return known;
  }

  static boolean serverHas(String flag) throws IOException, InterruptedException {
    return known().contains(flag);
  }

  /**
   * The arguments, less pending flags the server does not have yet.
   *
   * @throws AssertionError for a flag that is neither known nor pending
   */
  static List<String> runnable(List<String> args) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        out.add(arg);
        continue;
      }
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (serverHas(flag)) {
        out.add(arg);
      } else if (flag.equals("--model-store")) {
        out.add("--model-repository" + arg.substring(flag.length()));
      } else if (!PENDING.contains(flag)) {
        throw new AssertionError(
            "the deployment passes " + flag + ", which the server does not know: " + known());
      }
    }
    return out;
  }
}
