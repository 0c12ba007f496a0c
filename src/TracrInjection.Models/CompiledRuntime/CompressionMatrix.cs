using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// The <c>w_emb</c> [d × D] of tracr's compressed model (spec §9): write(x) = x·w_embᵀ (D → d), read(x) = x·w_emb
/// (d → D). tracr initialises it randomly and leaves learning it to training code that is not in its repository;
/// here it is the identity when d == D, else a seeded random matrix with orthonormal rows (d &lt; D) or orthonormal
/// columns (d &gt; D, which makes read(write(x)) == x). With d &lt; D and this untrained matrix, read(write(x)) is only
/// the projection of x onto a random d-dimensional subspace: outputs of a compressed model are lossy.
/// </summary>
public static class CompressionMatrix
{
    /// <summary>
    /// The model's own <see cref="CompiledModel.Compression"/> if it has one, else the matrix that
    /// <see cref="Generate"/> makes for <c>Options.CompressedWidth</c>; null for an uncompressed model.
    /// </summary>
    public static float[,]? For(CompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Compression is { } given) return given;
        return model.Options.CompressedWidth is int d ? Generate(d, model.ResidualWidth, model.Options.CompressionSeed) : null;
    }

    /// <summary>
    /// Identity for <paramref name="d"/> == <paramref name="width"/>; otherwise Gaussian entries from
    /// <see cref="Random"/>(<paramref name="seed"/>) (Box–Muller, in double), orthonormalised by modified Gram–Schmidt
    /// along the shorter side, then converted to float32. Deterministic for a given (d, width, seed).
    /// </summary>
    public static float[,] Generate(int d, int width, int seed)
    {
        if (d < 1) throw new ArgumentOutOfRangeException(nameof(d), d, "compressed width must be positive");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "residual width must be positive");
        var w = new float[d, width];
        if (d == width)
        {
            for (int i = 0; i < d; i++) w[i, i] = 1;
            return w;
        }

        // Orthonormalise the k = min(d, D) vectors of length n = max(d, D) along the shorter side.
        int k = Math.Min(d, width), n = Math.Max(d, width);
        var rng = new Random(seed);
        var vecs = new double[k][];
        for (int i = 0; i < k; i++)
        {
            vecs[i] = new double[n];
            for (int j = 0; j < n; j++) vecs[i][j] = Gaussian(rng);
        }
        for (int i = 0; i < k; i++)
        {
            var v = vecs[i];
            for (int pass = 0; pass < 2; pass++) // re-orthogonalise once for float64 accuracy
                for (int p = 0; p < i; p++)
                {
                    double dot = 0;
                    for (int j = 0; j < n; j++) dot += v[j] * vecs[p][j];
                    for (int j = 0; j < n; j++) v[j] -= dot * vecs[p][j];
                }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            if (norm < 1e-12) throw new InvalidOperationException("degenerate random compression matrix");
            for (int j = 0; j < n; j++) v[j] /= norm;
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++)
            {
                if (d <= width) w[i, j] = (float)vecs[i][j];
                else w[j, i] = (float)vecs[i][j];
            }
        return w;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
