package io.flock.models.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.flock.models.training.Losses;
import io.flock.models.training.ModelInitializer;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The large models of the zoo on the CPU: exact parameter counts against hand-derived formulas,
 * one real SGD step each (finite loss, the right weights move) and a bit-exact round trip of
 * their flat weights. Everything is seeded.
 */
class ModelZooTest {

  // ---- parameter counts --------------------------------------------------------------------

  @Test
  void resNet18HasTorchvisionsTrainableCountPlusBnRunningStats() {
    ParameterCounts counts = ParameterCounts.of(ModelZoo.get(ModelZoo.RESNET18));
    // torchvision resnet18(num_classes=1000): 11,689,512 (sum of p.numel() over parameters()).
    // 64*3*7*7 + 128 (stem conv, BN) + 11,166,976 (four stages) + 512*1000 + 1000 (fc)
    assertEquals(9_408 + 128 + 11_166_976 + 513_000, counts.trainable());
    assertEquals(11_689_512, counts.trainable());
    // + running mean and variance of the 20 BN layers (4,800 channels), not trainable
    assertEquals(11_689_512 + 2 * 4_800, counts.total());
    assertEquals(ResNet18.totalParams(3, 1000, ResNet18.Stem.IMAGENET), counts.total());
  }

  @Test
  void resNet18SmallImageStemHasTheCifarCountAndAdaptsToGreyImages() {
    // The CIFAR ResNet-18 (3x3 stem, no pool, 10 classes): 64*3*3*3 + 128 + 11,166,976 + 5,130
    ParameterCounts cifar = ParameterCounts.of(ModelZoo.resNet18(3, 32, 10));
    assertEquals(11_173_962, cifar.trainable());
    ModelSpec mnist = ModelZoo.get(ModelZoo.RESNET18, 784, 10);
    assertEquals(new Shape(1, 28, 28), mnist.sampleShape());
    // 64*1*3*3 + 128 + 11,166,976 + 5,130
    assertEquals(11_172_810, ParameterCounts.of(mnist).trainable());
  }

  @Test
  void gptMiniCountIsTheTiedGpt2Formula() {
    // V d + T d + L (12 d^2 + 13 d) + 2 d, V = 50,000, T = 256, d = 512, L = 6 (GptMini javadoc)
    long expected = 50_000L * 512 + 256 * 512 + 6 * (12L * 512 * 512 + 13 * 512) + 2 * 512;
    assertEquals(44_646_400, expected);
    assertEquals(expected, GptMini.Config.DEFAULT.params());
    ParameterCounts counts = ParameterCounts.of(ModelZoo.get(ModelZoo.GPT_MINI));
    assertEquals(new ParameterCounts(expected, expected), counts);
  }

  @Test
  void bertTinyCountIsTheBertFormula() {
    long d = 256;
    long f = 1024;
    long embeddings = 30_000 * d + 512 * d + 2 * d + 2 * d; // words, positions, types, LN
    long layers = 4 * (4 * d * d + 2 * d * f + f + 9 * d); // Q,K,V,O + 2 LN + MLP, per layer
    long mlmHead = d * d + d + 2 * d + 30_000; // dense, LN, decoder bias (weight tied)
    long classifier = d * d + d + d * 2 + 2; // pooler, 2 classes
    long expected = embeddings + layers + mlmHead + classifier;
    assertEquals(11_133_746, expected);
    assertEquals(expected, BertTiny.Config.DEFAULT.params());
    ParameterCounts counts = ParameterCounts.of(ModelZoo.get(ModelZoo.BERT_TINY));
    assertEquals(new ParameterCounts(expected, expected), counts);
  }

  @Test
  void charLmCountIsTheLstmFormula() {
    // V E + [4 H (E + H) + 8 H] + [4 H (2 H) + 8 H] + H V + V, PyTorch's nn.LSTM with two biases
    long expected = 256 * 64 + (4 * 256 * (64 + 256) + 8 * 256) + (4 * 256 * 512 + 8 * 256)
        + 256 * 256 + 256;
    assertEquals(938_240, expected);
    assertEquals(expected, CharLm.Config.DEFAULT.params());
    assertEquals(expected, ParameterCounts.of(ModelZoo.get(ModelZoo.CHAR_LM)).total());
  }

  @Test
  void everyRegisteredModelDescribesItsExactCountAndFloat32Size() {
    for (ModelSpec spec : ModelZoo.all()) {
      if (!spec.name().equals(ModelZoo.GPT_MINI) && !spec.name().equals(ModelZoo.BERT_TINY)
          && !spec.name().equals(ModelZoo.CHAR_LM) && !spec.name().equals(ModelZoo.RESNET18)) {
        continue; // the federated baselines keep their paper-style descriptions
      }
      ParameterCounts counts = ParameterCounts.of(spec);
      String size = String.format(Locale.ROOT, "%,d params (%.1f MB float32)", counts.total(),
          counts.float32Bytes() / 1e6);
      assertTrue(spec.description().contains(size), spec.description() + " lacks " + size);
      assertTrue(spec.description().contains(String.format(Locale.ROOT, "%,d", counts.trainable())));
    }
  }

  // ---- behaviour of the transformers -------------------------------------------------------

  @Test
  void gptMiniPositionAttendsOnlyToItselfAndEarlierTokens() {
    GptMini.Config small = new GptMini.Config(50, 16, 32, 2, 4);
    int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
    int[] changed = ids.clone();
    changed[5] = 7;
    try (NDManager m = NDManager.newBaseManager()) {
      Block gpt = initialized(new GptMini(small), m, new Shape(1, 8), 11);
      float[][] before = rows(forward(gpt, m, tokens(m, ids, 1, 8)).head(), 8);
      float[][] after = rows(forward(gpt, m, tokens(m, changed, 1, 8)).head(), 8);
      for (int i = 0; i < 5; i++) {
        assertArrayEquals(before[i], after[i], "position " + i + " must not see position 5");
      }
      for (int i = 5; i < 8; i++) {
        assertTrue(maxDiff(before[i], after[i]) > 1e-4, "position " + i + " must see position 5");
      }
    }
  }

  @Test
  void attentionGradientsStayExactWhenTheGarbageCollectorRunsBetweenForwardAndBackward() {
    // DJL's div(Number) frees its scalar's Java buffer to the GC while autograd still holds the
    // tensor; a collection before backward then made the gradients read freed memory (NaN).
    GptMini.Config small = new GptMini.Config(50, 8, 32, 2, 4);
    int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
    float[] reference = null;
    for (boolean collect : new boolean[] {false, true, true, true}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block gpt = initialized(new GptMini(small), m, new Shape(1, 8), 11);
        float[] grads;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray out = gpt.forward(new ParameterStore(m, false), new NDList(tokens(m, ids, 1, 8)), true).head();
          NDArray loss = out.square().mean();
          if (collect) {
            for (int i = 0; i < 5; i++) {
              System.gc();
              // Reuse freed native memory: many small direct buffers full of NaN bit patterns.
              for (int k = 0; k < 2_000; k++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(16);
                while (b.hasRemaining()) {
                  b.put((byte) 0xFF);
                }
              }
            }
          }
          gc.backward(loss);
          grads = gpt.getParameters().valueAt(2).getArray().getGradient().toFloatArray();
        }
        for (float g : grads) {
          assertTrue(Float.isFinite(g), "finite gradient");
        }
        if (reference == null) {
          reference = grads;
        } else {
          assertArrayEquals(reference, grads, "the same gradients with or without a collection");
        }
      }
    }
  }

  @Test
  void transformersRefuseSequencesLongerThanTheirPositionTable() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block gpt = initialized(new GptMini(new GptMini.Config(50, 4, 32, 1, 4)), m, new Shape(1, 4), 11);
      Block bert = initialized(
          new BertTiny(new BertTiny.Config(50, 4, 32, 1, 4, 64, 2)), m, new Shape(1, 4), 11);
      for (Block block : new Block[] {gpt, bert}) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> forward(block, m, tokens(m, new int[6], 1, 6)));
        assertEquals("sequence of 6 tokens is longer than the model's 4 positions;"
            + " cut the text into windows of at most 4 tokens", e.getMessage());
      }
    }
  }

  @Test
  void bertTinyPositionsIgnorePaddedTokensButSeeLaterRealOnes() {
    BertTiny.Config small = new BertTiny.Config(50, 16, 32, 2, 4, 64, 2);
    int[] ids = {2, 7, 8, 9, 3, 0};
    int[] mask = {1, 1, 1, 1, 1, 0};
    int[] padChanged = ids.clone();
    padChanged[5] = 41;
    int[] realChanged = ids.clone();
    realChanged[3] = 40;
    try (NDManager m = NDManager.newBaseManager()) {
      Block bert = initialized(new BertTiny(small), m, new Shape(1, 6), 12);
      NDArray maskArray = tokens(m, mask, 1, 6);
      float[][] base = rows(forward(bert, m, tokens(m, ids, 1, 6), maskArray).head(), 6);
      float[][] pad = rows(forward(bert, m, tokens(m, padChanged, 1, 6), maskArray).head(), 6);
      float[][] real = rows(forward(bert, m, tokens(m, realChanged, 1, 6), maskArray).head(), 6);
      for (int i = 0; i < 5; i++) {
        assertTrue(maxDiff(base[i], pad[i]) < 1e-5, "position " + i + " attended to padding");
      }
      assertTrue(maxDiff(base[0], real[0]) > 1e-4, "bidirectional: position 0 sees position 3");
    }
  }

  // ---- one SGD step ------------------------------------------------------------------------

  @Test
  void resNet18SmallStemTrainsOneStepAndUpdatesItsBnRunningStats() {
    ModelSpec spec = ModelZoo.resNet18(3, 32, 10);
    Step step = trainOneStep(spec, new Shape(2, 3, 32, 32),
        m -> new NDList(images(m, 2, 3, 32)), m -> labels(m, 3, 7), 0);
    assertTrue(Float.isFinite(step.loss()), "loss " + step.loss());
    // every tensor moves: weights by SGD, BN running mean / variance by the forward pass
    assertEquals(names(step.before()), step.changed());
  }

  @Test
  void resNet18ImageNetStemTrainsOneStepAt224Pixels() {
    ModelSpec spec = ModelZoo.get(ModelZoo.RESNET18);
    Step step = trainOneStep(spec, new Shape(1, 3, 224, 224),
        m -> new NDList(images(m, 1, 3, 224)), m -> labels(m, 417), 0);
    assertTrue(Float.isFinite(step.loss()), "loss " + step.loss());
    assertEquals(names(step.before()), step.changed());
  }

  @Test
  void gptMiniTrainsOneNextTokenStepOnEightTokens() {
    ModelSpec spec = ModelZoo.get(ModelZoo.GPT_MINI);
    int[] text = randomIds(9, 50_000, 21);
    int[] input = java.util.Arrays.copyOfRange(text, 0, 8);
    int[] target = java.util.Arrays.copyOfRange(text, 1, 9); // the input shifted by one
    Step step = trainOneStep(spec, new Shape(1, 8),
        m -> new NDList(tokens(m, input, 1, 8)), m -> new NDList(tokens(m, target, 1, 8)), 0);
    // an untrained LM is near uniform: cross entropy ~ ln(50,000) = 10.8
    assertTrue(Math.abs(step.loss() - Math.log(50_000)) < 1.0, "loss " + step.loss());
    assertEquals(names(step.before()), step.changed());
  }

  @Test
  void bertTinyMaskedLmLossTrainsEverythingButTheClassifierHead() {
    ModelSpec spec = ModelZoo.get(ModelZoo.BERT_TINY);
    int[] ids = randomIds(16, 30_000, 31);
    int[] targets = new int[16];
    java.util.Arrays.fill(targets, -1);
    for (int i : new int[] {2, 9, 13}) { // masked positions: [MASK] = 103 in BERT's vocabulary
      targets[i] = ids[i];
      ids[i] = 103;
    }
    Step step = trainOneStep(spec, new Shape(2, 8),
        m -> new NDList(tokens(m, ids, 2, 8)), m -> new NDList(tokens(m, targets, 2, 8)), 0);
    assertTrue(Math.abs(step.loss() - Math.log(30_000)) < 1.5, "loss " + step.loss());
    Set<String> expected = names(step.before());
    expected.removeIf(n -> n.contains("pooler") || n.contains("classifier"));
    assertEquals(expected, step.changed());
  }

  @Test
  void bertTinyClassificationLossTrainsEverythingButTheMlmHead() {
    ModelSpec spec = ModelZoo.get(ModelZoo.BERT_TINY);
    int[] ids = randomIds(16, 30_000, 32);
    Step step = trainOneStep(spec, new Shape(2, 8),
        m -> new NDList(tokens(m, ids, 2, 8)), m -> labels(m, 0, 1), 1);
    assertTrue(Float.isFinite(step.loss()), "loss " + step.loss());
    Set<String> expected = names(step.before());
    expected.removeIf(n -> n.startsWith("mlm") || n.contains("mlmDense") || n.contains("mlmNorm"));
    assertEquals(expected, step.changed());
  }

  @Test
  void charLmTrainsOneNextByteStep() {
    ModelSpec spec = ModelZoo.get(ModelZoo.CHAR_LM);
    byte[] text = "federated learning on the jvm".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int[] input = new int[16];
    int[] target = new int[16];
    for (int i = 0; i < 16; i++) {
      input[i] = text[i];
      target[i] = text[i + 1];
    }
    Step step = trainOneStep(spec, new Shape(1, 16),
        m -> new NDList(tokens(m, input, 1, 16)), m -> new NDList(tokens(m, target, 1, 16)), 0);
    assertTrue(Math.abs(step.loss() - Math.log(256)) < 0.5, "loss " + step.loss());
    assertEquals(names(step.before()), step.changed());
  }

  // ---- flat weights round trip -------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {ModelZoo.RESNET18, ModelZoo.GPT_MINI, ModelZoo.BERT_TINY, ModelZoo.CHAR_LM})
  void flatWeightsRoundTripBitExactIntoAFreshBlockWithEqualOutputs(String name) {
    ModelSpec spec = ModelZoo.get(name);
    ModelWeights weights = ModelInitializer.initialWeights(spec, 41);
    Shape input = spec.takesTokens() ? new Shape(2, 8) : spec.batchShape(1);
    try (NDManager m = NDManager.newBaseManager()) {
      Block source = initialized(spec.newBlock(), m, input, 41);
      BlockWeights.write(source, weights);
      Block fresh = initialized(spec.newBlock(), m, input, 42);
      assertTrue(!weights.equals(BlockWeights.read(fresh)), "fresh block starts elsewhere");
      BlockWeights.write(fresh, BlockWeights.read(source));
      assertEquals(weights, BlockWeights.read(fresh)); // bit-exact, names and shapes included
      NDArray x = spec.takesTokens()
          ? tokens(m, randomIds(16, spec.numClasses(), 43), 2, 8)
          : images(m, 1, 3, 224);
      NDList a = forward(source, m, x);
      NDList b = forward(fresh, m, x);
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), "output " + i);
      }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Loss of one step and the weights before and after it. */
  record Step(float loss, ModelWeights before, ModelWeights after) {

    /** Names of the tensors whose values the step changed. */
    Set<String> changed() {
      Set<String> out = new LinkedHashSet<>();
      int offset = 0;
      for (ParamSpec p : before.layout().params()) {
        int n = Math.toIntExact(p.size());
        for (int i = offset; i < offset + n; i++) {
          if (Float.floatToIntBits(before.get(i)) != Float.floatToIntBits(after.get(i))) {
            out.add(p.name());
            break;
          }
        }
        offset += n;
      }
      return out;
    }
  }

  /**
   * One SGD step (learning rate 0.01) from the seeded initial weights with DJL's trainer: forward
   * in training mode, the task's loss on output {@code output}, backward, optimizer step.
   */
  static Step trainOneStep(
      ModelSpec spec, Shape inputShape, Function<NDManager, NDList> inputs,
      Function<NDManager, NDList> labels, int output) {
    ModelWeights before = ModelInitializer.initialWeights(spec, 7);
    Loss loss = output == 0 ? Losses.forTask(spec.task()) : Loss.softmaxCrossEntropyLoss();
    Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(new Device[] {Device.cpu()});
    try (Model model = Model.newInstance(spec.name(), Device.cpu())) {
      model.setBlock(spec.newBlock());
      try (Trainer trainer = model.newTrainer(config);
          NDManager batch = trainer.getManager().newSubManager()) {
        trainer.initialize(inputShape);
        BlockWeights.write(model.getBlock(), before);
        float value;
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDList predictions = trainer.forward(inputs.apply(batch));
          NDArray l = loss.evaluate(labels.apply(batch), new NDList(predictions.get(output)));
          value = l.getFloat();
          gc.backward(l);
        }
        trainer.step();
        return new Step(value, before, BlockWeights.read(model.getBlock()));
      }
    }
  }

  static Block initialized(Block block, NDManager manager, Shape input, int seed) {
    ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
    block.initialize(manager, DataType.FLOAT32, input);
    return block;
  }

  static NDList forward(Block block, NDManager manager, NDArray... inputs) {
    NDList in = new NDList(inputs);
    if (block instanceof BertTiny && inputs.length == 2) {
      // (ids, attention mask): token types are all segment A
      in = new NDList(inputs[0], inputs[0].zerosLike(), inputs[1]);
    }
    return block.forward(new ParameterStore(manager, false), in, false);
  }

  static Set<String> names(ModelWeights weights) {
    Set<String> out = new LinkedHashSet<>();
    weights.layout().params().forEach(p -> out.add(p.name()));
    return out;
  }

  static NDArray tokens(NDManager m, int[] ids, int batch, int seq) {
    return m.create(ids, new Shape(batch, seq));
  }

  static NDList labels(NDManager m, int... classes) {
    float[] y = new float[classes.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = classes[i];
    }
    return new NDList(m.create(y, new Shape(y.length)));
  }

  static NDArray images(NDManager m, int batch, int channels, int side) {
    Random r = new Random(5);
    float[] x = new float[batch * channels * side * side];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return m.create(x, new Shape(batch, channels, side, side));
  }

  static int[] randomIds(int n, int vocabulary, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(vocabulary);
    }
    return ids;
  }

  /** {@code (1, seq, v)} logits as one row per position. */
  static float[][] rows(NDArray logits, int seq) {
    float[] flat = logits.toFloatArray();
    int v = flat.length / seq;
    float[][] out = new float[seq][];
    for (int i = 0; i < seq; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * v, (i + 1) * v);
    }
    return out;
  }

  static float maxDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
