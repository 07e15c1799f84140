package io.flock.models.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One transformer layer on {@code (batch, seq, d)}: self-attention and a position-wise MLP
 * {@code d -> ff -> d} with GELU, each in a residual connection with a layer norm. Pre-LN
 * ({@code x + f(LN(x))}, GPT-2: Radford et al. 2019, Sec. 2.3) or post-LN ({@code LN(x + f(x))},
 * BERT: Devlin et al. 2019 after Vaswani et al. 2017). Dropout is left out (no parameters).
 *
 * <p>Parameters: attention {@code 4 d^2 + 4 d}, two layer norms {@code 4 d}, MLP {@code 2 d ff +
 * ff + d}: {@code 4 d^2 + 2 d ff + ff + 9 d}; with {@code ff = 4 d}, {@code 12 d^2 + 13 d}.
 *
 * <p>Inputs: {@code x}, and optionally an additive attention mask (see {@link SelfAttention}).
 */
final class TransformerLayer extends AbstractBlock {

  private final boolean preNorm;
  private final int ff;
  private final SelfAttention attention;
  private final LayerNorm norm1;
  private final Linear up;
  private final Linear down;
  private final LayerNorm norm2;

  TransformerLayer(int hidden, int heads, int ff, boolean causal, boolean preNorm, float epsilon) {
    this.preNorm = preNorm;
    this.ff = ff;
    this.attention = addChildBlock("attention", new SelfAttention(hidden, heads, causal));
    this.norm1 = addChildBlock("norm1", layerNorm(epsilon));
    this.up = addChildBlock("up", Linear.builder().setUnits(ff).build());
    this.down = addChildBlock("down", Linear.builder().setUnits(hidden).build());
    this.norm2 = addChildBlock("norm2", layerNorm(epsilon));
  }

  /** Trainable parameters of one layer: {@code 4 d^2 + 2 d ff + ff + 9 d}. */
  static long params(long d, long ff) {
    return 4 * d * d + 2 * d * ff + ff + 9 * d;
  }

  /** A layer norm over the last axis of {@code (batch, seq, d)} inputs. */
  static LayerNorm layerNorm(float epsilon) {
    return LayerNorm.builder().axis(2).optEpsilon(epsilon).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
    if (preNorm) {
      x = x.add(attend(store, apply(norm1, store, x, training), mask, training));
      return new NDList(x.add(mlp(store, apply(norm2, store, x, training), training)));
    }
    x = apply(norm1, store, x.add(attend(store, x, mask, training)), training);
    return new NDList(apply(norm2, store, x.add(mlp(store, x, training)), training));
  }

  private NDArray attend(ParameterStore store, NDArray x, NDArray mask, boolean training) {
    NDList in = mask == null ? new NDList(x) : new NDList(x, mask);
    return attention.forward(store, in, training).head();
  }

  private NDArray mlp(ParameterStore store, NDArray x, boolean training) {
    NDArray h = Activation.gelu(apply(up, store, x, training));
    return apply(down, store, h, training);
  }

  private static NDArray apply(
      Block block, ParameterStore store, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).head();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    attention.initialize(manager, dataType, x);
    norm1.initialize(manager, dataType, x);
    up.initialize(manager, dataType, x);
    down.initialize(manager, dataType, x.slice(0, x.dimension() - 1).add(ff));
    norm2.initialize(manager, dataType, x);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
