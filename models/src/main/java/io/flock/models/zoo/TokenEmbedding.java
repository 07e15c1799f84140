package io.flock.models.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A trainable lookup table: integer ids {@code (batch, seq)} to vectors {@code (batch, seq, dim)},
 * one {@code (vocabulary, dim)} weight initialized from N(0, 0.02) as GPT-2 and BERT do. The
 * transformers of the zoo hold their tables as direct parameters (they tie the token table to
 * the output layer) and call {@link #lookup}; the char-level model uses this block.
 */
public final class TokenEmbedding extends AbstractBlock {

  /** Standard deviation of the N(0, sigma) initialization of GPT-2 and BERT. */
  static final float INIT_STD = 0.02f;

  private final int dim;
  private final Parameter weight;

  /** A table of {@code vocabulary} rows of {@code dim} values. */
  public TokenEmbedding(int vocabulary, int dim) {
    this.dim = dim;
    this.weight = addParameter(table("weight", vocabulary, dim));
  }

  /** A {@code (rows, dim)} weight parameter initialized from N(0, 0.02). */
  static Parameter table(String name, int rows, int dim) {
    if (rows < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "embedding '" + name + "' needs rows >= 1 and dim >= 1, was " + rows + " x " + dim);
    }
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(rows, dim))
        .optInitializer(new NormalInitializer(INIT_STD))
        .build();
  }

  /** Rows {@code ids} of {@code table}: {@code ids.shape + (dim)}; differentiable in the table. */
  static NDArray lookup(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * The token vectors of {@code ids} {@code (batch, seq)} from {@code tokenTable} plus the learned
   * position vectors of the first {@code seq} rows of {@code positions}, shared by the zoo's
   * transformers; a sequence longer than the position table is refused.
   */
  static NDArray tokensWithPositions(
      ParameterStore store, NDArray ids, NDArray tokenTable, Parameter positions, boolean training) {
    NDArray table = store.getValue(positions, ids.getDevice(), training);
    long t = ids.getShape().get(1);
    long rows = table.getShape().get(0);
    if (t > rows) {
      throw new IllegalArgumentException(
          "sequence of " + t + " tokens is longer than the model's " + rows + " positions;"
              + " cut the text into windows of at most " + rows + " tokens");
    }
    return lookup(ids, tokenTable).add(table.get(new NDIndex("0:{}", t)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.head();
    return new NDList(lookup(ids, store.getValue(weight, ids.getDevice(), training)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(dim)};
  }
}
