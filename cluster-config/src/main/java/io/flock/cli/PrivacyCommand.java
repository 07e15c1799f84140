package io.flock.cli;

import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.NoiseCalibration;
import io.flock.privacy.dp.PrivacyAccountant;
import io.flock.privacy.dp.PrivacySpent;
import io.flock.privacy.dp.RdpAccountant;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flock privacy epsilon|noise}: the Renyi-DP accountant of the sampled Gaussian mechanism
 * (Mironov, Talwar and Zhang 2019) from the command line.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true,
    description = "Differential-privacy accounting: epsilon spent, or the noise for a target epsilon.",
    subcommands = {PrivacyCommand.Epsilon.class, PrivacyCommand.Noise.class})
final class PrivacyCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: `flock privacy epsilon ...` or `flock privacy noise ...`");
  }

  static Conversion conversion(CommandLine cli, String name) {
    try {
      return Conversion.named(name);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cli, "--conversion " + e.getMessage());
    }
  }

  /** Rethrows an argument error of the accountant as a usage error naming the rule. */
  static <T> T checked(CommandLine cli, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cli, e.getMessage());
    }
  }

  @Command(name = "epsilon", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Epsilon spent by T steps of the Poisson-sampled Gaussian mechanism.")
  static final class Epsilon implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--sample-rate", required = true, paramLabel = "Q", description = "Sampling rate q in (0, 1].")
    double q;

    @Option(names = "--noise-multiplier", required = true, paramLabel = "Z",
        description = "Noise multiplier z: noise std / clipping norm, >= 0.")
    double z;

    @Option(names = "--steps", required = true, paramLabel = "T", description = "Number of steps (rounds), >= 1.")
    long steps;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta in (0, 1).")
    double delta;

    @Option(names = "--conversion", defaultValue = "improved",
        description = "RDP to (epsilon, delta): improved (Balle et al. 2020) or classic (Mironov 2017) "
            + "(default: ${DEFAULT-VALUE}).")
    String conversion;

    @Override
    public Integer call() {
      CommandLine cli = spec.commandLine();
      Conversion c = conversion(cli, conversion);
      PrivacySpent spent = checked(cli, () -> PrivacyAccountant.empty().compose(q, z, steps).epsilon(delta, c));
      PrintWriter out = cli.getOut();
      out.printf(Locale.ROOT, "epsilon = %.6g at delta = %s (best order %s, %s conversion; %d orders in [%s, %s])%n",
          spent.epsilon(), delta, trim(spent.order()), c.name().toLowerCase(Locale.ROOT),
          RdpAccountant.defaultOrders().length, trim(RdpAccountant.defaultOrders()[0]),
          trim(RdpAccountant.defaultOrders()[RdpAccountant.defaultOrders().length - 1]));
      out.flush();
      return 0;
    }
  }

  @Command(name = "noise", mixinStandardHelpOptions = true, sortOptions = false,
      description = "The smallest noise multiplier whose epsilon after T steps is at most the target.")
  static final class Noise implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--epsilon", required = true, paramLabel = "E", description = "Target epsilon, > 0.")
    double epsilon;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta in (0, 1).")
    double delta;

    @Option(names = "--sample-rate", required = true, paramLabel = "Q", description = "Sampling rate q in (0, 1].")
    double q;

    @Option(names = "--steps", required = true, paramLabel = "T", description = "Number of steps (rounds), >= 1.")
    long steps;

    @Option(names = "--conversion", defaultValue = "improved",
        description = "improved or classic (default: ${DEFAULT-VALUE}).")
    String conversion;

    @Override
    public Integer call() {
      CommandLine cli = spec.commandLine();
      Conversion c = conversion(cli, conversion);
      double z = checked(cli, () -> NoiseCalibration.noiseMultiplier(epsilon, delta, q, steps, c));
      PrivacySpent check = PrivacyAccountant.empty().compose(q, z, steps).epsilon(delta, c);
      PrintWriter out = cli.getOut();
      out.printf(Locale.ROOT, "noise multiplier = %.6g (gives epsilon = %.6g at delta = %s after %d steps at q = %s)%n",
          z, check.epsilon(), delta, steps, q);
      out.flush();
      return 0;
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
