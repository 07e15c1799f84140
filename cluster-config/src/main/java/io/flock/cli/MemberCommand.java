package io.flock.cli;

import ai.djl.Device;
import com.typesafe.config.Config;
import io.flock.actors.coordinator.CheckpointFiles;
import io.flock.actors.coordinator.CheckpointStore;
import io.flock.actors.node.TrainingNode;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.NodeData;
import io.flock.models.data.Seeds;
import io.flock.models.training.Devices;
import io.flock.models.training.LocalTrainer;
import io.flock.models.training.ModelInitializer;
import io.flock.models.weights.ModelLayout;
import io.flock.models.zoo.ModelSpec;
import io.flock.simulations.FederatedData;
import io.flock.simulations.SimulationConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Routers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock member}: a cluster JVM hosting training nodes with their local data. */
@Command(name = "member", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Start a member JVM of a Flock cluster: it joins through --seed and hosts --nodes training nodes,",
      "each with its own share of this member's data: part I of N of the data set (--partition I/N), split",
      "over the nodes. Node names are global (node-0000 ...): member I hosts nodes I*K .. I*K+K-1, with the",
      "same data and seeds as node I*K.. of `flock simulate --nodes N*K`. With --standby it also keeps",
      "replicas of the coordinator's checkpoints in --workdir and takes the coordinator over when the",
      "seed's JVM dies. The data options (--model, --dataset, --split, --train-limit, --data-dir, --seed)",
      "must match the seed's run."})
final class MemberCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--seed", required = true, split = ",", paramLabel = "HOST:PORT",
      description = "Seed JVM(s) to join through, comma-separated.")
  List<String> seeds;

  @CommandLine.Mixin ClusterEndpoint endpoint;

  @Option(names = "--port", defaultValue = "0", description = "Cluster port; 0 = any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--nodes", defaultValue = "1", description = "Training nodes in this JVM, K (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--partition", defaultValue = "0/1", paramLabel = "I/N",
      description = "This member's data: part I (0-based) of N equal parts of the data set (default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--split", defaultValue = "iid", paramLabel = "iid|shards|dirichlet|quantity",
      description = "How the data set is split over all N*K nodes, as `flock simulate --partition` (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--data", paramLabel = "DIR",
      description = {"This member's own local data instead of a share of a public data set:"
          + " DIR/train-images-idx3-ubyte and DIR/train-labels-idx1-ubyte (MNIST's IDX format: 28x28 grey images,"
          + " labels 0-9), split evenly over this member's nodes. --partition I/N then only numbers the nodes."})
  Path localData;

  @Option(names = "--standby", defaultValue = "false",
      description = "Also keep checkpoint replicas and stand by to host the coordinator (needs --workdir).")
  boolean standby;

  @Option(names = "--workdir", paramLabel = "DIR", description = "Checkpoint replicas (with --standby) and metrics.")
  Path workdir;

  @Option(names = "--identities", paramLabel = "DIR",
      description = "ML-DSA-65 keys of this member's nodes (DIR/node-XXXX.mldsa from `flock identities`); needed"
          + " when the seed runs with --allowlist.")
  Path identities;

  @Option(names = "--join-timeout", defaultValue = "60",
      description = "Give up when not a cluster member after this many seconds (default: ${DEFAULT-VALUE}).")
  long joinTimeoutSeconds;

  @CommandLine.Unmatched List<String> dataArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String host = endpoint.host;
    Path clusterConfig = endpoint.clusterConfig;
    int[] part = parsePartition();
    if (nodes < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be >= 1, was " + nodes);
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 0..65535, was " + port);
    }
    if (standby && workdir == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--standby needs --workdir: the checkpoint"
          + " replicas are kept there");
    }
    try {
      seeds = seeds.stream().map(s -> ClusterRuntime.hostPort(s, "--seed")).toList();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    for (String option : List.of("--nodes", "--partition", "--rounds")) {
      if (dataArgs.contains(option)) {
        throw new CommandLine.ParameterException(spec.commandLine(), option + " is not a member option here");
      }
    }
    String busy = ClusterRuntime.portProblem(host, port);
    if (busy != null) {
      err.println("error: " + busy);
      return 2;
    }
    // The data this member's nodes hold: node I*K+j of the data set split over N*K nodes, or the
    // member's own --data split over its K nodes.
    int total = part[1] * nodes;
    int first = part[0] * nodes;
    if (dataArgs.stream().anyMatch(a -> a.startsWith("--secure-aggregation")) && identities == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--secure-aggregation needs --identities DIR:"
          + " every node signs its secure-aggregation keys with its own ML-DSA-65 key, which the seed admitted"
          + " from its --allowlist (`flock identities --out keys --nodes N`; see the README, \"Run a cluster\")");
    }
    // The seed's options decide how rounds aggregate; a node takes part in whatever its train
    // request asks, with its identity key.
    List<String> simArgs = withoutSecureAggregation(dataArgs);
    simArgs.addAll(List.of("--nodes", Integer.toString(total), "--partition", split, "--min-nodes", "1"));
    SimulationConfig config;
    List<NodeData> local = new ArrayList<>();
    List<NodeData> localEval = new ArrayList<>();
    ModelSpec model;
    ModelLayout layout;
    try {
      config = ClusterRuntime.parseRun(simArgs).config();
      io.flock.models.data.LabeledDataset train;
      if (localData != null) {
        train = readLocal(localData);
        for (int[] share : io.flock.models.data.Partitioner.partition(io.flock.models.data.Partitioner.Scheme.IID,
            train.labels(), nodes, Seeds.derive(config.seed(), first))) {
          local.add(new NodeData(train, share));
        }
      } else {
        FederatedData data = FederatedData.load(config);
        train = data.train();
        local.addAll(data.partitions().subList(first, first + nodes));
        if (!data.evalPartitions().isEmpty()) {
          localEval.addAll(data.evalPartitions().subList(first, first + nodes));
        }
      }
      model = FederatedData.modelFor(config.model(), train);
      layout = ModelInitializer.initialWeights(model, config.seed()).layout();
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    } catch (DataUnavailableException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    java.util.Map<String, io.flock.privacy.identity.NodeIdentity> keys = new java.util.HashMap<>();
    if (identities != null) {
      try {
        for (int j = 0; j < nodes; j++) {
          String nodeId = String.format("node-%04d", part[0] * nodes + j);
          keys.put(nodeId, IdentitiesCommand.load(identities, nodeId));
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    List<String> roles = standby ? List.of("node", "coordinator") : List.of("node");
    Config actorConfig = ClusterRuntime.config("member.conf", host, port, seeds, roles, clusterConfig);
    Device device = Devices.select(config.gpuEnabled(), 0);
    Duration minBackoff = actorConfig.getDuration("flock.supervision.min-backoff");
    Duration maxBackoff = actorConfig.getDuration("flock.supervision.max-backoff");
    if (workdir != null) {
      Files.createDirectories(workdir);
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      ActorRef<TrainingWorker.Command> workers = ctx.spawn(Routers.pool(1,
          TrainingWorker.supervised(() -> new LocalTrainer(model, device), minBackoff, maxBackoff))
          .withRoundRobinRouting(), "workers");
      ctx.spawn(Behaviors.<Void>setup(nodesCtx -> {
        for (int j = 0; j < nodes; j++) {
          int index = first + j;
          String nodeId = String.format("node-%04d", index);
          TrainingNode.Setup setup = TrainingNode.Setup.of(nodeId, local.get(j), layout,
                  Seeds.derive(config.seed(), index))
              .withEvalData(localEval.isEmpty() ? null : localEval.get(j))
              .withIdentity(keys.get(nodeId));
          nodesCtx.spawn(TrainingNode.supervised(setup, workers, minBackoff, maxBackoff), nodeId);
        }
        return Behaviors.empty();
      }), "nodes");
      if (standby) {
        ActorRef<CheckpointStore.Command> store = ctx.spawn(CheckpointStore.create(new CheckpointFiles(workdir),
            ctx.getSystem().settings().config().getDuration("flock.cluster.replication-timeout")),
            ClusterRuntime.CHECKPOINT_STORE);
        ClusterRuntime.initCoordinatorSingleton(ctx, workdir, store, null, line -> {
          out.println(line);
          out.flush();
        }, f -> { }, () -> { }); // after a run ends here (or cannot be hosted), the member keeps serving
      }
      return Behaviors.<Void>empty();
    }), "flock", actorConfig);
    ClusterRuntime.startTransfers(system, err);
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
        .registerOnMemberUp(() -> up.complete(null));
    try {
      up.get(joinTimeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      err.println("error: not a cluster member after " + joinTimeoutSeconds + " s: no seed answered at " + seeds
          + ". Is `flock seed` running there, on that --port, reachable from " + host + "? (--join-timeout to wait"
          + " longer)");
      err.flush();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get();
      return 2;
    }
    out.printf("flock member: %s joined through %s; nodes node-%04d..node-%04d (%d local samples)%s%n",
        system.address(), seeds, first, first + nodes - 1,
        local.stream().mapToInt(NodeData::size).sum(),
        standby ? "; standby coordinator, checkpoint replicas in " + workdir : "");
    out.flush();
    system.getWhenTerminated().toCompletableFuture().get();
    var reason = org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason();
    if (reason.isPresent() && reason.get().equals(org.apache.pekko.actor.CoordinatedShutdown.clusterDowningReason())) {
      err.println("error: this member was removed from the cluster (unreachable for too long, or on the losing side"
          + " of a partition); restart it with the same options to rejoin");
      err.flush();
      return 3;
    }
    return 0;
  }

  /** A member's own IDX data, or a clear error naming the file and what to do. */
  private io.flock.models.data.LabeledDataset readLocal(Path dir) {
    Path images = dir.resolve("train-images-idx3-ubyte");
    Path labels = dir.resolve("train-labels-idx1-ubyte");
    for (Path f : List.of(images, labels)) {
      if (!java.nio.file.Files.isReadable(f)) {
        throw new IllegalArgumentException("--data " + dir + ": missing " + f.getFileName() + " (the member's own"
            + " data must be an IDX pair train-images-idx3-ubyte / train-labels-idx1-ubyte, as MNIST's)");
      }
    }
    try {
      return io.flock.models.data.Mnist.read("local data " + dir, images, labels);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("--data " + dir + ": " + e.getMessage(), e);
    }
  }

  private int[] parsePartition() {
    String[] p = partition.split("/");
    try {
      if (p.length == 2) {
        int i = Integer.parseInt(p[0].trim());
        int n = Integer.parseInt(p[1].trim());
        if (n >= 1 && i >= 0 && i < n) {
          return new int[] {i, n};
        }
      }
    } catch (NumberFormatException ignored) {
      // the message below
    }
    throw new CommandLine.ParameterException(spec.commandLine(),
        "--partition must be I/N with 0 <= I < N, e.g. 0/3 for the first of three members, was '" + partition + "'");
  }

  /** {@code args} without {@code --secure-aggregation} and the {@code --secagg-*} options (with their values). */
  private static List<String> withoutSecureAggregation(List<String> args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--secure-aggregation") || a.startsWith("--secure-aggregation=")) {
        continue;
      }
      if (a.startsWith("--secagg-")) {
        if (!a.contains("=")) {
          i++; // its value
        }
        continue;
      }
      kept.add(a);
    }
    return kept;
  }
}
