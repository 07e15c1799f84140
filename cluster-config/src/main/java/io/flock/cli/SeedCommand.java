package io.flock.cli;

import com.typesafe.config.Config;
import io.flock.actors.coordinator.Checkpoint;
import io.flock.actors.coordinator.CheckpointFiles;
import io.flock.actors.coordinator.CheckpointStore;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.models.data.DataUnavailableException;
import io.flock.simulations.Simulation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock seed}: the first cluster JVM; hosts the coordinator and its checkpoints. */
@Command(name = "seed", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Start the seed JVM of a Flock cluster: it hosts the coordinator (a cluster singleton) and keeps a",
      "checkpoint after every round in --workdir, replicated to every `flock member --standby`.",
      "Training nodes run on members: `flock member --seed HOST:PORT ...`.",
      "Every `flock simulate` option describes the run (--rounds, --min-nodes, --model, --dataset,",
      "--strategy, --fraction, --dp-*, ...); --nodes is the federation's expected size (for sampling and",
      "privacy accounting). Exits when training ends."})
final class SeedCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ClusterEndpoint endpoint;

  @Option(names = "--port", defaultValue = "${env:FLOCK_PORT:-2552}", description = "Cluster port (default: $FLOCK_PORT or 2552).")
  int port;

  @Option(names = "--workdir", required = true, paramLabel = "DIR",
      description = "Checkpoints and metrics of the run (checkpoint.cbor, metrics.jsonl).")
  Path workdir;

  @Option(names = "--resume", defaultValue = "false",
      description = "Continue the run checkpointed in --workdir (after a full restart); its options come from the"
          + " checkpoint.")
  boolean resume;

  @Option(names = "--await-nodes", defaultValue = "0",
      description = "Start the first round once this many nodes registered; 0 = --min-nodes (default: ${DEFAULT-VALUE}).")
  int awaitNodes;

  @Option(names = "--start-timeout", defaultValue = "120",
      description = "Start anyway after this many seconds with the nodes registered by then (default: ${DEFAULT-VALUE}).")
  long startTimeoutSeconds;

  @Option(names = "--allowlist", paramLabel = "FILE",
      description = "Admit only nodes that prove an ML-DSA-65 key listed here (`flock identities`); default: every"
          + " node that joins (secure the cluster with TLS, `flock certs`).")
  Path allowlist;

  @CommandLine.Unmatched List<String> runArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String host = endpoint.host;
    Path clusterConfig = endpoint.clusterConfig;
    if (port < 1 || port > 65535) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 1..65535, was " + port);
    }
    String busy = ClusterRuntime.portProblem(host, port);
    if (busy != null) {
      err.println("error: " + busy);
      return 2;
    }
    CheckpointFiles files = new CheckpointFiles(workdir);
    Checkpoint existing;
    try {
      existing = files.readLatest();
    } catch (CheckpointFiles.CorruptCheckpointException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    List<String> args = runArgs;
    if (resume) {
      if (existing == null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--resume: no checkpoint in " + workdir + " (" + CheckpointFiles.LATEST + ")");
      }
      if (!runArgs.isEmpty() && !runArgs.equals(existing.runArgs())) {
        err.println("warning: --resume continues the checkpointed run with its own options " + existing.runArgs()
            + "; the options given here are ignored: " + runArgs);
      }
      if (existing.finished() != null) {
        out.println("the run checkpointed in " + workdir + " has finished (" + existing.finished() + ", "
            + existing.completedRounds() + " completed rounds); nothing to resume. Metrics: "
            + workdir.resolve(RunReporter.METRICS));
        return 0;
      }
      args = existing.runArgs();
    } else if (existing != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), workdir + " holds the checkpoint of a run after"
          + " round " + existing.round() + ": pass --resume to continue it, or choose an empty --workdir (nothing"
          + " was changed)");
    }
    SimulateCommand sim;
    try {
      sim = ClusterRuntime.parseRun(args);
    } catch (CommandLine.ParameterException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (sim.config().secureAggregation() != null && allowlist == null
        && (existing == null || existing.allowlist() == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--secure-aggregation in a cluster needs"
          + " --allowlist: the coordinator must know each node's ML-DSA-65 public key to verify the signed keys"
          + " the nodes advertise, and it takes them from admission against the allowlist. Create the keys with"
          + " `flock identities --out keys --nodes N`, start the seed with --allowlist keys/allowlist.txt and the"
          + " members with --identities keys (README, \"Run a cluster\", Admission)");
    }
    Simulation.Prepared prepared;
    try {
      prepared = Simulation.prepare(sim.config());
    } catch (DataUnavailableException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    io.flock.privacy.identity.Allowlist admitted = null;
    if (allowlist != null) {
      try {
        admitted = io.flock.privacy.identity.Allowlist.load(allowlist);
      } catch (java.io.IOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--allowlist: " + e.getMessage());
      }
    } else if (existing != null && existing.allowlist() != null) {
      admitted = io.flock.privacy.identity.Allowlist.of(existing.allowlist());
    }
    Files.createDirectories(workdir);
    int await = awaitNodes > 0 ? awaitNodes : Math.max(1, prepared.config().minNodes());
    var fresh = new ClusterRuntime.Fresh(args, prepared, await, Duration.ofSeconds(startTimeoutSeconds), admitted);
    Config config = ClusterRuntime.config("seed.conf", host, port, List.of(host + ":" + port), null,
        clusterConfig != null ? clusterConfig : sim.configFile);
    out.printf("flock seed: pekko://flock@%s:%d, run %s on %s, %d rounds, strategy %s; work directory %s%n",
        host, port, prepared.config().model(), prepared.config().dataset(), prepared.config().rounds(),
        prepared.strategy().describe(), workdir.toAbsolutePath());
    String secure = RoundLines.secureAggregation(prepared);
    if (secure != null) {
      out.println(secure + "; the nodes' identity keys are those admitted by the allowlist");
    }
    String privacy = RoundLines.privacy(prepared);
    if (privacy != null) {
      out.println(privacy);
    }
    out.flush();
    CompletableFuture<TrainingFinished> finished = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      Runnable leave = () -> org.apache.pekko.actor.CoordinatedShutdown.get(ctx.getSystem())
          .runAll(org.apache.pekko.actor.CoordinatedShutdown.clusterLeavingReason());
      ActorRef<CheckpointStore.Command> store = ctx.spawn(CheckpointStore.create(files,
          ctx.getSystem().settings().config().getDuration("flock.cluster.replication-timeout")),
          ClusterRuntime.CHECKPOINT_STORE);
      ClusterRuntime.initCoordinatorSingleton(ctx, workdir, store, fresh, line -> {
        out.println(line);
        out.flush();
      }, f -> {
        finished.complete(f);
        leave.run();
      }, leave);
      return Behaviors.<Void>empty();
    }), "flock", config);
    ClusterRuntime.startTransfers(system, err);
    system.getWhenTerminated().toCompletableFuture().get();
    if (!finished.isDone()) {
      err.println("error: the seed stopped before training finished (see the log above); the last checkpoint is in "
          + workdir + ": `flock seed --workdir " + workdir + " --resume` continues it");
      return 1;
    }
    return finished.join().aborted() ? 3 : 0;
  }
}
