package io.flock.models.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readers of two small tabular classification data sets from Debian packages (where they come
 * from is registered in {@link DataSets}), split deterministically: every 5th row (rows 4, 9, 14, ...) is test data, the
 * rest training data. Features are standardized with the training rows' statistics only
 * ({@link DataPreprocessor#standardize}).
 *
 * <ul>
 *   <li>{@code breast-cancer}: the Wisconsin diagnostic breast cancer data (Street, Wolberg and
 *       Mangasarian 1993), 569 rows x 30 numeric features, label 0 = malignant, 1 = benign, as
 *       scikit-learn ships it ({@code breast_cancer.csv} of Debian's {@code python3-sklearn}).
 *   <li>{@code german-credit}: the Statlog German credit data (Hofmann 1994), 1,000 rows x 20
 *       attributes, label 0 = good, 1 = bad, as Weka ships it ({@code credit-g.arff} of Debian's
 *       {@code weka}); the 13 nominal attributes are one-hot encoded (in the order the ARFF header
 *       declares their values), the 7 numeric ones standardized: 63 features.
 * </ul>
 */
public final class TabularData {

  private TabularData() {}

  /** Every 5th row to the test split; both standardized with the training split's statistics. */
  static Mnist.Splits standardizedSplit(LabeledDataset all) {
    int dim = all.featureDim();
    int testRows = all.size() / 5;
    int trainRows = all.size() - testRows;
    float[] trainX = new float[trainRows * dim];
    float[] testX = new float[testRows * dim];
    int[] trainY = new int[trainRows];
    int[] testY = new int[testRows];
    int tr = 0;
    int te = 0;
    for (int i = 0; i < all.size(); i++) {
      if (i % 5 == 4) {
        all.copyFeatures(i, testX, te * dim);
        testY[te++] = all.label(i);
      } else {
        all.copyFeatures(i, trainX, tr * dim);
        trainY[tr++] = all.label(i);
      }
    }
    DataPreprocessor.Scaler scaler = DataPreprocessor.standardize(trainX, dim);
    scaler.applyInPlace(trainX);
    scaler.applyInPlace(testX);
    return new Mnist.Splits(
        new LabeledDataset(all.name() + "/train", trainX, trainY, dim, all.numClasses()),
        new LabeledDataset(all.name() + "/test", testX, testY, dim, all.numClasses()));
  }

  /**
   * scikit-learn's CSV layout: a header {@code rows,features,class names...}, then one row of
   * {@code features} numbers and an integer class per line.
   */
  public static LabeledDataset readBreastCancer(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new IOException(file + " is empty; expected the header `569,30,malignant,benign`");
    }
    String[] header = lines.get(0).split(",");
    int rows;
    int dim;
    try {
      rows = Integer.parseInt(header[0].trim());
      dim = Integer.parseInt(header[1].trim());
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IOException(file + " line 1: header `" + lines.get(0)
          + "` is not `rows,features,class names...`");
    }
    int classes = header.length - 2;
    if (rows < 1 || dim < 1 || classes < 2) {
      throw new IOException(file + " line 1: header `" + lines.get(0) + "` declares " + rows + " rows, "
          + dim + " features and " + classes + " classes");
    }
    if (lines.size() - 1 < rows) {
      throw new IOException(file + " is truncated: the header declares " + rows + " rows, the file has "
          + (lines.size() - 1));
    }
    float[] x = new float[rows * dim];
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      int lineNo = r + 2;
      String[] cells = lines.get(r + 1).split(",", -1);
      if (cells.length != dim + 1) {
        throw new IOException(file + " line " + lineNo + ": " + cells.length + " values, expected "
            + (dim + 1) + " (" + dim + " features and the class)");
      }
      for (int j = 0; j < dim; j++) {
        x[r * dim + j] = number(cells[j], file, lineNo, j + 1);
      }
      float label = number(cells[dim], file, lineNo, dim + 1);
      if (label != Math.rint(label) || label < 0 || label >= classes) {
        throw new IOException(file + " line " + lineNo + ": class `" + cells[dim].trim()
            + "` is not an integer in [0, " + classes + ")");
      }
      y[r] = (int) label;
    }
    return new LabeledDataset(DataSets.BREAST_CANCER, x, y, dim, classes);
  }

  private static float number(String cell, Path file, int line, int column) throws IOException {
    try {
      float v = Float.parseFloat(cell.trim());
      if (!Float.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IOException(file + " line " + line + ", column " + column + ": `" + cell
          + "` is not a finite number");
    }
  }

  /**
   * Weka's {@code credit-g.arff}: nominal attributes one-hot encoded, numeric ones as they are (the
   * split standardizes them), the last attribute ({@code class {good, bad}}) the label.
   */
  public static LabeledDataset readGermanCredit(Path file) throws IOException {
    Arff arff = Arff.read(file);
    if (arff.attributes.size() < 2) {
      throw new IOException(file + " declares " + arff.attributes.size() + " attributes; need features and a class");
    }
    Arff.Attribute cls = arff.attributes.get(arff.attributes.size() - 1);
    if (cls.values == null) {
      throw new IOException(file + ": the last attribute `" + cls.name + "` must be nominal (the class)");
    }
    int dim = 0;
    for (Arff.Attribute a : arff.attributes.subList(0, arff.attributes.size() - 1)) {
      dim += a.values == null ? 1 : a.values.size();
    }
    int rows = arff.rows.size();
    float[] x = new float[rows * dim];
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      Arff.Row row = arff.rows.get(r);
      int col = 0;
      for (int a = 0; a < arff.attributes.size(); a++) {
        Arff.Attribute attr = arff.attributes.get(a);
        String cell = row.cells().get(a);
        if (attr.values == null) {
          x[r * dim + col++] = number(cell, file, row.line(), a + 1);
          continue;
        }
        Integer index = attr.values.get(cell);
        if (index == null) {
          throw new IOException(file + " line " + row.line() + ": `" + cell + "` is not a value of "
              + attr.name + " " + attr.values.keySet());
        }
        if (a == arff.attributes.size() - 1) {
          y[r] = index;
        } else {
          x[r * dim + col + index] = 1f;
          col += attr.values.size();
        }
      }
    }
    return new LabeledDataset(DataSets.GERMAN_CREDIT, x, y, dim, cls.values.size());
  }

  /** The part of ARFF (Weka's format) that the data sets use: nominal and numeric attributes, dense rows. */
  static final class Arff {
    static final class Attribute {
      final String name;
      final Map<String, Integer> values; // null for numeric

      Attribute(String name, Map<String, Integer> values) {
        this.name = name;
        this.values = values;
      }
    }

    record Row(int line, List<String> cells) {}

    final List<Attribute> attributes = new ArrayList<>();
    final List<Row> rows = new ArrayList<>();

    static Arff read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      Arff arff = new Arff();
      boolean data = false;
      for (int i = 0; i < lines.size(); i++) {
        int lineNo = i + 1;
        String line = lines.get(i).trim();
        if (line.isEmpty() || line.startsWith("%")) {
          continue;
        }
        String lower = line.toLowerCase(java.util.Locale.ROOT);
        if (!data) {
          if (lower.startsWith("@relation")) {
            continue;
          }
          if (lower.startsWith("@data")) {
            data = true;
            continue;
          }
          if (!lower.startsWith("@attribute")) {
            throw new IOException(file + " line " + lineNo + ": expected @relation, @attribute or @data, got `"
                + line + "`");
          }
          arff.attributes.add(attribute(line.substring("@attribute".length()).trim(), file, lineNo));
          continue;
        }
        List<String> cells = split(line, ',', file, lineNo);
        if (cells.size() != arff.attributes.size()) {
          throw new IOException(file + " line " + lineNo + ": " + cells.size() + " values, expected "
              + arff.attributes.size() + " (one per @attribute)");
        }
        arff.rows.add(new Row(lineNo, cells));
      }
      if (!data || arff.rows.isEmpty()) {
        throw new IOException(file + " has no @data rows");
      }
      return arff;
    }

    private static Attribute attribute(String rest, Path file, int lineNo) throws IOException {
      List<String> nameAndType = new ArrayList<>();
      int brace = rest.indexOf('{');
      String name;
      String type;
      if (brace >= 0) {
        name = unquote(rest.substring(0, brace).trim());
        int close = rest.lastIndexOf('}');
        if (close < brace) {
          throw new IOException(file + " line " + lineNo + ": nominal attribute without closing `}`");
        }
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String v : split(rest.substring(brace + 1, close), ',', file, lineNo)) {
          values.put(v, values.size());
        }
        return new Attribute(name, values);
      }
      nameAndType.addAll(split(rest, ' ', file, lineNo));
      nameAndType.removeIf(String::isEmpty);
      if (nameAndType.size() != 2) {
        throw new IOException(file + " line " + lineNo + ": cannot read attribute `" + rest + "`");
      }
      name = nameAndType.get(0);
      type = nameAndType.get(1).toLowerCase(java.util.Locale.ROOT);
      if (!type.equals("numeric") && !type.equals("real") && !type.equals("integer")) {
        throw new IOException(file + " line " + lineNo + ": attribute type `" + type
            + "` is not supported (numeric or nominal)");
      }
      return new Attribute(name, null);
    }

    /** Splits on {@code sep} outside single or double quotes; cells are trimmed and unquoted. */
    static List<String> split(String line, char sep, Path file, int lineNo) throws IOException {
      List<String> out = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      char quote = 0;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quote != 0) {
          if (c == '\\' && i + 1 < line.length()) {
            cell.append(line.charAt(++i));
          } else if (c == quote) {
            quote = 0;
          } else {
            cell.append(c);
          }
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == sep) {
          out.add(cell.toString().trim());
          cell.setLength(0);
        } else {
          cell.append(c);
        }
      }
      if (quote != 0) {
        throw new IOException(file + " line " + lineNo + ": unterminated quote in `" + line + "`");
      }
      out.add(cell.toString().trim());
      return out;
    }

    private static String unquote(String s) {
      if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
        return s.substring(1, s.length() - 1);
      }
      return s;
    }
  }
}
