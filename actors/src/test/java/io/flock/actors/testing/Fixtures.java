package io.flock.actors.testing;

import com.typesafe.config.Config;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.NodeData;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Small models, data and settings shared by the actor tests. Every value is a dyadic rational (k /
 * 2^m), so sums, differences and sample-weighted means of them are exact in float32 and the tests
 * can compare models with {@code assertEquals}.
 */
public final class Fixtures {

  private Fixtures() {}

  /** The federation's model: a weight vector {@code w} of 3 and a bias {@code b}: 4 params. */
  public static final ModelLayout LAYOUT =
      new ModelLayout(List.of(ParamSpec.of("w", 3), ParamSpec.of("b", 1)));

  /** Same parameter count, other shape: a model the federation does not train. */
  public static final ModelLayout OTHER_LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", 2, 2)));

  /** One local epoch, no clipping. */
  public static final TrainConfig TRAIN = new TrainConfig(1, 8, 0.5, 0, 0, 0, 0);

  /** Weights of {@link #LAYOUT}. */
  /** A deterministic ML-DSA-65 identity for {@code nodeId} (its UTF-8 bytes, at most 32, as seed). */
  public static io.flock.privacy.identity.NodeIdentity identity(String nodeId) {
    byte[] seed = new byte[32];
    byte[] id = nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    System.arraycopy(id, 0, seed, 0, Math.min(id.length, seed.length));
    return io.flock.privacy.identity.NodeIdentity.fromSeed(seed);
  }

  /** The public keys of {@link #identity} of each of {@code nodeIds}, by node id. */
  public static java.util.Map<String, byte[]> identityKeys(List<String> nodeIds) {
    java.util.Map<String, byte[]> keys = new java.util.TreeMap<>();
    nodeIds.forEach(id -> keys.put(id, identity(id).publicKey()));
    return keys;
  }

  public static ModelWeights weights(float... values) {
    return ModelWeights.of(LAYOUT, values);
  }

  /** A node holding the first {@code samples} samples of a tiny two-class data set. */
  public static NodeData nodeData(int samples) {
    float[] features = new float[samples];
    int[] labels = new int[samples];
    int[] indices = new int[samples];
    for (int i = 0; i < samples; i++) {
      features[i] = i;
      labels[i] = i % 2;
      indices[i] = i;
    }
    return new NodeData(new LabeledDataset("tiny", features, labels, 1, 2), indices);
  }

  /** The test configuration: {@code application-test.conf} (serialize-messages on) + references. */
  public static Config testConfig() {
    return ActorTestKit.applicationTestConfig();
  }

  /** {@link #testConfig()} with Pekko's manual scheduler: time passes only when a test says so. */
  public static Config manualTimeConfig() {
    return ManualTime.config().withFallback(testConfig());
  }

  /** A probe's node id as the RoundManager sees it: the name of its actor. */
  public static String nodeId(TestProbe<?> probe) {
    return probe.ref().path().name();
  }

  /**
   * A real training node with {@code samples} local samples and its own worker on a {@link
   * FakeEngine} that returns {@code delta} (loss 0.5), proving {@code identity} when asked (null:
   * none).
   */
  public static void spawnNode(ActorTestKit kit, String nodeId, int samples, float[] delta, FakeEngine.Hook hook,
      io.flock.privacy.identity.NodeIdentity identity) {
    var worker = kit.spawn(io.flock.actors.worker.TrainingWorker.supervised(
        new FakeEngine.Factory(delta, 0.5, hook), java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(50)),
        nodeId + "-worker");
    var setup = io.flock.actors.node.TrainingNode.Setup.of(nodeId, nodeData(samples), LAYOUT, nodeId.hashCode());
    kit.spawn(io.flock.actors.node.TrainingNode.create(identity == null ? setup : setup.withIdentity(identity), worker),
        nodeId);
  }
}
