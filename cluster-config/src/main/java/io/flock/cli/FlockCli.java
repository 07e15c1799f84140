package io.flock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flock} command line: entry point of the application jar. */
@Command(
    name = "flock",
    mixinStandardHelpOptions = true,
    versionProvider = FlockCli.Version.class,
    description = "Flock: federated learning on the JVM (Pekko actors, DJL training).",
    subcommands = {
      SimulateCommand.class,
      SeedCommand.class,
      MemberCommand.class,
      IdentitiesCommand.class,
      DatasetsCommand.class,
      ModelsCommand.class,
      PlotCommand.class,
      PrivacyCommand.class,
      BenchCommand.class,
      CertsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FlockCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** A configured command line, for the launcher and for tests. */
  public static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new FlockCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + describe(e));
          return 1;
        });
    return cli;
  }

  /**
   * One line for a failed command: its message, the innermost cause when that says more (a native
   * library that did not load names the missing file there), and what to do when the deep-learning
   * engine itself failed.
   */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
      message += " (" + root.getMessage() + ")";
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ai.djl.engine.EngineException) {
        return message + "; the PyTorch engine did not start: check FLOCK_CUDA, FLOCK_LIBTORCH and"
            + " PYTORCH_LIBRARY_PATH (README, \"Training on a GPU\")";
      }
    }
    return message;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try `flock simulate`");
  }

  /** Reports the project version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FlockCli.class.getPackage().getImplementationVersion();
      return new String[] {"flock " + (v == null ? "dev" : v)};
    }
  }
}
