package io.flock.cli;

import ai.djl.Device;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.flock.actors.coordinator.Checkpoint;
import io.flock.actors.coordinator.CheckpointFiles;
import io.flock.actors.coordinator.CheckpointStore;
import io.flock.actors.coordinator.Coordinator;
import io.flock.actors.coordinator.CoordinatorSettings;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.LabeledDataset;
import io.flock.models.training.Devices;
import io.flock.models.training.ModelEvaluator;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import picocli.CommandLine;

/**
 * What `flock seed` and `flock member` share: the cluster configuration (application.conf, the
 * cluster base, the role overlay, a user file, then the flags), the run options (every `flock
 * simulate` option, parsed by the same code), and the coordinator singleton, which any JVM with the
 * coordinator role can host.
 */
final class ClusterRuntime {

  /** Name of the coordinator singleton (its manager is {@code /system/singletonManagercoordinator}). */
  static final String COORDINATOR = "coordinator";

  /** The checkpoint store's actor name on every coordinator-capable JVM. */
  static final String CHECKPOINT_STORE = "checkpoint-store";

  private ClusterRuntime() {}

  /**
   * The run a set of `flock simulate` options describes, validated by the simulate command itself.
   *
   * @throws CommandLine.ParameterException with the option's own message when an option is wrong
   */
  static SimulateCommand parseRun(List<String> runArgs) {
    SimulateCommand sim = new SimulateCommand();
    CommandLine cl = new CommandLine(sim);
    cl.parseArgs(runArgs.toArray(String[]::new));
    return sim;
  }

  /** The actor configuration of a cluster JVM. */
  static Config config(String roleOverlay, String host, int port, List<String> seeds, List<String> roles,
      Path userConfig) {
    Config base = ConfigFactory.parseResources(roleOverlay)
        .withFallback(ConfigFactory.parseResources("cluster.conf"))
        .withFallback(ConfigFactory.load());
    if (userConfig != null) {
      if (!Files.isReadable(userConfig)) {
        throw new IllegalArgumentException("--config: cannot read " + userConfig);
      }
      base = ConfigFactory.parseFile(userConfig.toFile()).withFallback(base);
    }
    Config flags = ConfigFactory.empty()
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(
            seeds.stream().map(s -> "pekko://flock@" + s).toList()));
    if (roles != null) {
      flags = flags.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    }
    return flags.withFallback(base).resolve();
  }

  /** A clear message when {@code port} on {@code host} is taken (0 is never taken). */
  static String portProblem(String host, int port) {
    if (port == 0) {
      return null;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
      return null;
    } catch (java.io.IOException e) {
      return "cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): the port is in use or the"
          + " address is not this machine's; choose another --port (members may use --port 0 for any free port)";
    }
  }

  /**
   * Starts the weights side channel of a new cluster JVM before any actor sends weights (binding
   * blocks briefly, so it happens here, on the command's thread, never inside an actor).
   */
  static void startTransfers(org.apache.pekko.actor.typed.ActorSystem<?> system, java.io.PrintWriter err) {
    var settings = io.flock.actors.transfer.TransferSettings.from(system.settings().config());
    if (settings.sideChannel() && !io.flock.actors.transfer.SideChannel.get(system).start()) {
      err.println("warning: the weights side channel could not listen (see the log); big weights stream over"
          + " Artery instead, more slowly");
      err.flush();
    }
  }

  /** HOST:PORT, checked. */
  static String hostPort(String value, String option) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException(option + " must be HOST:PORT, e.g. 127.0.0.1:2552, was '" + value + "'");
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a port in 1..65535, was '" + value + "'");
    }
    return value;
  }

  /**
   * Starts the coordinator singleton in this JVM's share of the cluster: on the oldest JVM with the
   * coordinator role it runs {@link #coordinatorHost}.
   */
  static void initCoordinatorSingleton(ActorContext<?> ctx, Path workdir, ActorRef<CheckpointStore.Command> store,
      Fresh fresh, Consumer<String> out, Consumer<TrainingFinished> onFinished, Runnable cannotHost) {
    ClusterSingleton.get(ctx.getSystem()).init(
        SingletonActor.of(coordinatorHost(workdir, store, fresh, out, onFinished, cannotHost), COORDINATOR));
  }

  /**
   * What the seed starts a new run with: its options and the run prepared from them (data loaded,
   * model built). Standbys have none: they continue from a replicated checkpoint.
   */
  record Fresh(List<String> runArgs, Simulation.Prepared prepared, int awaitNodes, Duration startTimeout,
      io.flock.privacy.identity.Allowlist allowlist) {}

  /**
   * The coordinator as this JVM hosts it: from the latest checkpoint in {@code workdir} when there
   * is one (a resumed run, or a standby taking over: the options come from the checkpoint), else a
   * new run from {@code fresh}. Without either (a standby that never received a checkpoint) it
   * logs why and stops. {@code cannotHost} runs whenever it stops for an error (the seed shuts
   * down then; a standby member goes on serving its nodes).
   */
  static Behavior<Coordinator.Command> coordinatorHost(Path workdir, ActorRef<CheckpointStore.Command> store,
      Fresh fresh, Consumer<String> out, Consumer<TrainingFinished> onFinished, Runnable cannotHost) {
    return Behaviors.setup(ctx -> {
      Checkpoint checkpoint;
      try {
        checkpoint = new CheckpointFiles(workdir).readLatest();
      } catch (CheckpointFiles.CorruptCheckpointException e) {
        ctx.getLog().error("cannot host the coordinator: {}", e.getMessage());
        out.accept("error: " + e.getMessage());
        cannotHost.run();
        return Behaviors.stopped();
      }
      if (checkpoint != null && checkpoint.finished() != null) {
        out.accept("coordinator: the run checkpointed in " + workdir + " has finished (" + checkpoint.finished()
            + "); nothing to coordinate");
        return Behaviors.stopped();
      }
      if (checkpoint == null && fresh == null) {
        ctx.getLog().error("cannot take over the coordinator: no checkpoint was replicated to {} yet", workdir);
        out.accept("error: cannot take over the coordinator: no checkpoint in " + workdir);
        cannotHost.run();
        return Behaviors.stopped();
      }
      Simulation.Prepared prepared;
      int awaitNodes;
      Duration startTimeout;
      List<String> runArgs;
      io.flock.privacy.identity.Allowlist allowlist;
      if (checkpoint != null && (fresh == null || !checkpoint.runArgs().equals(fresh.runArgs()))) {
        runArgs = checkpoint.runArgs();
        SimulateCommand sim = parseRun(runArgs);
        SimulationConfig config = sim.config();
        try {
          prepared = Simulation.prepare(config);
        } catch (DataUnavailableException e) {
          out.accept("error: cannot host the coordinator: " + e.getMessage());
          cannotHost.run();
          return Behaviors.stopped();
        }
        awaitNodes = Math.max(1, config.minNodes());
        startTimeout = Duration.ofMinutes(1);
        allowlist = checkpoint.allowlist() == null ? null : io.flock.privacy.identity.Allowlist.of(checkpoint.allowlist());
      } else {
        runArgs = fresh.runArgs();
        prepared = fresh.prepared();
        awaitNodes = fresh.awaitNodes();
        startTimeout = fresh.startTimeout();
        allowlist = fresh.allowlist();
      }
      if (checkpoint != null) {
        out.accept("coordinator: resuming after round " + checkpoint.round() + " (" + checkpoint.completedRounds()
            + " completed) from the checkpoint in " + workdir);
      } else {
        out.accept("coordinator: starting a new run; waiting for " + awaitNodes + " node(s)"
            + (allowlist == null ? "" : ", admitting " + allowlist.size() + " allowlisted key(s)"));
      }
      SimulationConfig config = prepared.config();
      Device device = Devices.select(config.gpuEnabled(), 0);
      LabeledDataset test = prepared.data().test();
      var spec = prepared.spec();
      CoordinatorSettings settings = new CoordinatorSettings(config.rounds(), awaitNodes, startTimeout,
          prepared.round(), config.seed(), config.targetLoss(), config.targetAccuracy(), 3, config.federatedEval(),
          allowlist);
      ActorRef<Coordinator.Event> reporter = ctx.spawn(RunReporter.create(workdir, out, onFinished), "reporter");
      return Coordinator.create(settings, prepared.initial(), prepared.strategy(),
          () -> new ModelEvaluator(spec, device).on(test), reporter,
          new Coordinator.Persistence(checkpoint, store, runArgs));
    });
  }
}
