package io.flock.models.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT-Tiny: a BERT encoder (Devlin et al. 2019) with both of its heads. Word, position (learned,
 * up to {@code maxPositions}) and token-type embeddings summed and layer-normed; {@code layers}
 * post-LN transformer layers with bidirectional self-attention and a GELU MLP; a masked language
 * model head (dense + GELU + LN, then a decoder to the vocabulary tied to the word embedding with
 * its own bias, as BERT); and a classification head on the first ([CLS]) position (pooler dense +
 * tanh, then a linear layer to the classes).
 *
 * <p>Inputs: token ids {@code (batch, seq)}; optionally token types {@code (batch, seq)} (0 or 1,
 * zeros when absent) and an attention mask {@code (batch, seq)} (1 for tokens, 0 for padding,
 * which no position attends to). Outputs: MLM logits {@code (batch, seq, vocabulary)}, then class
 * logits {@code (batch, classes)}. One weight vector serves MLM pre-training and fine-tuning.
 *
 * <p>Parameters, {@code V} vocabulary, {@code P} positions, {@code d} hidden, {@code f}
 * intermediate, {@code L} layers, {@code C} classes:
 *
 * <pre>
 *   embeddings  V d + P d + 2 d + 2 d                     7,680,000 + 131,072 + 512 + 512
 *   layers      L (4 d^2 + 2 d f + f + 9 d)               4 * 789,760
 *   MLM head    d^2 + d + 2 d + V                         65,792 + 512 + 30,000
 *   classifier  d^2 + d + d C + C                         65,792 + 514
 *   default V = 30,000, P = 512, d = 256, f = 1,024, L = 4, 4 heads, C = 2:
 *   7,812,096 + 3,159,040 + 96,304 + 66,306 = 11,133,746 (44.5 MB float32)
 *   an untied MLM decoder would add V d = 7,680,000
 * </pre>
 *
 * <p>Weights are initialized from N(0, 0.02), biases and LN beta at 0, LN gamma at 1; layer norm
 * epsilon 1e-12 (BERT). Dropout is left out.
 */
public final class BertTiny extends AbstractBlock {

  /** Configuration of a BERT-Tiny. */
  public record Config(
      int vocabulary, int maxPositions, int hidden, int layers, int heads, int intermediate,
      int classes) {

    /** The seed configuration: vocabulary 30,000, 512 positions, 256 hidden, 4 layers, 4 heads. */
    public static final Config DEFAULT = new Config(30_000, 512, 256, 4, 4, 1024, 2);

    /** Number of token types (segments A and B). */
    public static final int TOKEN_TYPES = 2;

    /** Validates every field. */
    public Config {
      if (vocabulary < 2 || maxPositions < 1 || layers < 1 || intermediate < 1 || classes < 2) {
        throw new IllegalArgumentException(
            "BERT-Tiny needs vocabulary >= 2, maxPositions >= 1, layers >= 1, intermediate >= 1"
                + " and classes >= 2, was " + vocabulary + ", " + maxPositions + ", " + layers
                + ", " + intermediate + ", " + classes);
      }
      if (heads < 1 || hidden < heads || hidden % heads != 0) {
        throw new IllegalArgumentException(
            "BERT-Tiny hidden size must be a positive multiple of heads, was " + hidden + " and " + heads);
      }
    }

    /** Trainable parameters; see the class comment for the formula. */
    public long params() {
      long d = hidden;
      long embeddings = (long) vocabulary * d + (long) maxPositions * d + TOKEN_TYPES * d + 2 * d;
      long encoder = layers * TransformerLayer.params(d, intermediate);
      long mlm = d * d + d + 2 * d + vocabulary;
      long classifier = d * d + d + d * classes + classes;
      return embeddings + encoder + mlm + classifier;
    }
  }

  private static final float LN_EPSILON = 1e-12f;

  private final Config config;
  private final Parameter words;
  private final Parameter positions;
  private final Parameter types;
  private final Parameter decoderBias;
  private final LayerNorm embeddingNorm;
  private final List<TransformerLayer> blocks = new ArrayList<>();
  private final Linear mlmDense;
  private final LayerNorm mlmNorm;
  private final Linear pooler;
  private final Linear classifier;

  /** A new, uninitialized BERT-Tiny of the given configuration. */
  public BertTiny(Config config) {
    this.config = config;
    int d = config.hidden();
    this.words = addParameter(TokenEmbedding.table("words", config.vocabulary(), d));
    this.positions = addParameter(TokenEmbedding.table("positions", config.maxPositions(), d));
    this.types = addParameter(TokenEmbedding.table("types", Config.TOKEN_TYPES, d));
    this.decoderBias = addParameter(Parameter.builder()
        .setName("mlmDecoderBias")
        .setType(Parameter.Type.BIAS)
        .optShape(new Shape(config.vocabulary()))
        .build());
    this.embeddingNorm = addChildBlock("embeddingNorm", TransformerLayer.layerNorm(LN_EPSILON));
    for (int i = 0; i < config.layers(); i++) {
      blocks.add(addChildBlock("layer" + i, new TransformerLayer(
          d, config.heads(), config.intermediate(), false, false, LN_EPSILON)));
    }
    this.mlmDense = addChildBlock("mlmDense", Linear.builder().setUnits(d).build());
    this.mlmNorm = addChildBlock("mlmNorm", TransformerLayer.layerNorm(LN_EPSILON));
    this.pooler = addChildBlock("pooler", Linear.builder().setUnits(d).build());
    this.classifier = addChildBlock("classifier", Linear.builder().setUnits(config.classes()).build());
    setInitializer(new NormalInitializer(TokenEmbedding.INIT_STD), Parameter.Type.WEIGHT);
  }

  public Config config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.head();
    NDArray wordTable = store.getValue(words, ids.getDevice(), training);
    NDArray typeIds = inputs.size() > 1 ? inputs.get(1) : ids.zerosLike();
    NDArray x = TokenEmbedding.tokensWithPositions(store, ids, wordTable, positions, training)
        .add(TokenEmbedding.lookup(typeIds, store.getValue(types, ids.getDevice(), training)));
    x = apply(embeddingNorm, store, x, training);
    NDList layerInputs = new NDList(x);
    if (inputs.size() > 2) {
      // (batch, seq) of 1 = token, 0 = padding -> additive (batch, 1, 1, seq) over the keys
      NDArray padding = inputs.get(2).toType(DataType.FLOAT32, false).neg().add(1f)
          .mul(SelfAttention.MASKED);
      layerInputs.add(padding.expandDims(1).expandDims(1));
    }
    for (TransformerLayer layer : blocks) {
      layerInputs.set(0, layer.forward(store, layerInputs, training).head());
    }
    x = layerInputs.head();
    NDArray h = apply(mlmNorm, store, Activation.gelu(apply(mlmDense, store, x, training)), training);
    NDArray mlmLogits = h.matMul(wordTable.transpose())
        .add(store.getValue(decoderBias, ids.getDevice(), training));
    NDArray cls = x.get(new NDIndex(":, 0, :"));
    NDArray pooled = Activation.tanh(apply(pooler, store, cls, training));
    return new NDList(mlmLogits, apply(classifier, store, pooled, training));
  }

  private static NDArray apply(Block block, ParameterStore store, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).head();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape hidden = inputShapes[0].add(config.hidden());
    embeddingNorm.initialize(manager, dataType, hidden);
    for (TransformerLayer layer : blocks) {
      layer.initialize(manager, dataType, hidden);
    }
    mlmDense.initialize(manager, dataType, hidden);
    mlmNorm.initialize(manager, dataType, hidden);
    Shape pooledShape = new Shape(inputShapes[0].get(0), config.hidden());
    pooler.initialize(manager, dataType, pooledShape);
    classifier.initialize(manager, dataType, pooledShape);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape ids = inputShapes[0];
    return new Shape[] {ids.add(config.vocabulary()), new Shape(ids.get(0), config.classes())};
  }
}
