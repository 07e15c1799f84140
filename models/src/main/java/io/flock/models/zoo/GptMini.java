package io.flock.models.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-Mini: a decoder-only transformer language model in the form of GPT-2 (Radford et al.
 * 2019): learned token and position embeddings, {@code layers} pre-LN transformer layers with
 * causal self-attention and a 4x GELU MLP, a final layer norm, and an LM head tied to the token
 * embedding ({@code logits = h W_te^T}, no bias, as GPT-2; Press and Wolf 2017).
 *
 * <p>Input: token ids {@code (batch, seq)}, any integer type, {@code seq <= context}. Output:
 * next-token logits {@code (batch, seq, vocabulary)}; position {@code i} sees tokens {@code 0..i}
 * only.
 *
 * <p>Parameters, {@code V} vocabulary, {@code T} context, {@code d} hidden, {@code L} layers:
 *
 * <pre>
 *   V d  +  T d  +  L (12 d^2 + 13 d)  +  2 d
 *   token  position  layers                 final LN    (the tied head adds none)
 *   default V = 50,000, T = 256, d = 512, L = 6, 8 heads:
 *   25,600,000 + 131,072 + 6 * 3,152,384 + 1,024 = 44,646,400 (178.6 MB float32)
 *   an untied head would add V d = 25,600,000 (70,246,400 in all)
 * </pre>
 *
 * <p>Weights are initialized from N(0, 0.02), biases and LN beta at 0, LN gamma at 1 (GPT-2).
 *
 * @see TransformerLayer
 */
public final class GptMini extends AbstractBlock {

  /** Configuration of a GPT-Mini. */
  public record Config(int vocabulary, int context, int hidden, int layers, int heads) {

    /** The seed configuration: vocabulary 50,000, context 256, hidden 512, 6 layers, 8 heads. */
    public static final Config DEFAULT = new Config(50_000, 256, 512, 6, 8);

    /** Validates every field. */
    public Config {
      if (vocabulary < 2 || context < 1 || layers < 1) {
        throw new IllegalArgumentException(
            "GPT-Mini needs vocabulary >= 2, context >= 1 and layers >= 1, was "
                + vocabulary + ", " + context + ", " + layers);
      }
      if (heads < 1 || hidden < heads || hidden % heads != 0) {
        throw new IllegalArgumentException(
            "GPT-Mini hidden size must be a positive multiple of heads, was " + hidden + " and " + heads);
      }
    }

    /** Trainable parameters: {@code V d + T d + L (12 d^2 + 13 d) + 2 d}. */
    public long params() {
      long d = hidden;
      return (long) vocabulary * d + (long) context * d
          + layers * TransformerLayer.params(d, 4 * d) + 2 * d;
    }
  }

  private static final float LN_EPSILON = 1e-5f;

  private final Config config;
  private final Parameter tokens;
  private final Parameter positions;
  private final List<TransformerLayer> blocks = new ArrayList<>();
  private final LayerNorm finalNorm;

  /** A new, uninitialized GPT-Mini of the given configuration. */
  public GptMini(Config config) {
    this.config = config;
    this.tokens = addParameter(TokenEmbedding.table("tokens", config.vocabulary(), config.hidden()));
    this.positions = addParameter(TokenEmbedding.table("positions", config.context(), config.hidden()));
    for (int i = 0; i < config.layers(); i++) {
      blocks.add(addChildBlock("layer" + i, new TransformerLayer(
          config.hidden(), config.heads(), 4 * config.hidden(), true, true, LN_EPSILON)));
    }
    this.finalNorm = addChildBlock("finalNorm", TransformerLayer.layerNorm(LN_EPSILON));
    setInitializer(new NormalInitializer(TokenEmbedding.INIT_STD), Parameter.Type.WEIGHT);
  }

  public Config config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.head();
    NDArray wte = store.getValue(tokens, ids.getDevice(), training);
    NDArray x = TokenEmbedding.tokensWithPositions(store, ids, wte, positions, training);
    for (TransformerLayer layer : blocks) {
      x = layer.forward(store, new NDList(x), training).head();
    }
    x = finalNorm.forward(store, new NDList(x), training).head();
    return new NDList(x.matMul(wte.transpose()));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape hidden = inputShapes[0].add(config.hidden());
    for (TransformerLayer layer : blocks) {
      layer.initialize(manager, dataType, hidden);
    }
    finalNorm.initialize(manager, dataType, hidden);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(config.vocabulary())};
  }
}
