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
          commandLine.getErr().println("error: " + e.getMessage());
          return 1;
        });
    return cli;
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
