using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.Craft;

/// <summary>
/// The fast paths of the craft structures against plain reference implementations: joins (merging sorted parts)
/// against tracr's de-duplicate-then-sort, the sparse matrix against a dictionary, sparse weights against dense.
/// </summary>
public class CraftStructureTests
{
    private static readonly string[] Names = ["a", "b", "indices", "one", "tokens"];

    private static Value RandomValue(Random rng, bool mixed) => (mixed ? rng.Next(5) : rng.Next(2)) switch
    {
        0 => Value.Int(rng.Next(-3, 12)),
        1 => Value.Float(rng.Next(0, 8) / 4.0),
        2 => Value.Str(((char)('a' + rng.Next(6))).ToString()),
        3 => Value.Bool(rng.Next(2) == 1),
        _ => Value.Str(rng.Next(0, 12).ToString()),
    };

    private static BasisDirection RandomDirection(Random rng, bool mixed)
    {
        string name = Names[rng.Next(Names.Length)];
        return name == "one" || rng.Next(20) == 0 ? new BasisDirection(name) : new BasisDirection(name, RandomValue(rng, mixed));
    }

    /// <summary>tracr's join: concatenate in caller order, keep the first of equal directions, sort stably by "&lt;".</summary>
    private static List<BasisDirection> ReferenceJoin(IEnumerable<VectorSpace> spaces)
    {
        var seen = new HashSet<BasisDirection>();
        var list = new List<BasisDirection>();
        foreach (var s in spaces)
            foreach (var d in s.Basis)
                if (seen.Add(d)) list.Add(d);
        // Insertion sort: stable and uses only "<", like Python's sorted on these small inputs.
        for (int i = 1; i < list.Count; i++)
        {
            var x = list[i];
            int j = i - 1;
            while (j >= 0 && BasisDirection.LessThan(x, list[j])) { list[j + 1] = list[j]; j--; }
            list[j + 1] = x;
        }
        return list;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JoinEqualsDeduplicateThenSort(bool mixedTypes)
    {
        var rng = new Random(mixedTypes ? 11 : 7);
        for (int trial = 0; trial < 3000; trial++)
        {
            int k = rng.Next(1, trial % 10 == 0 ? 80 : 9);
            var spaces = new VectorSpace[k];
            for (int p = 0; p < k; p++)
            {
                int n = rng.Next(0, 7);
                spaces[p] = new VectorSpace(Enumerable.Range(0, n).Select(_ => RandomDirection(rng, mixedTypes)));
            }
            var expected = ReferenceJoin(spaces);
            var maps = new int[k][];
            var joined = VectorSpace.JoinMapped(spaces, maps);
            var plain = VectorSpace.Join(spaces);
            if (!mixedTypes)
            {
                // Numbers-only or strings-only per name: a total order, so the result is unique, representatives included.
                Assert.Equal(expected.Select(d => d.ToString()), joined.Basis.Select(d => d.ToString()));
                Assert.Equal(expected.Select(d => d.ToString()), plain.Basis.Select(d => d.ToString()));
            }
            else
            {
                Assert.Equal(expected.ToHashSet(), joined.Basis.ToHashSet());
                Assert.Equal(expected.Count, joined.Count);
            }
            for (int p = 0; p < k; p++)
                for (int i = 0; i < spaces[p].Count; i++)
                    Assert.True(joined[maps[p][i]].Equals(spaces[p][i]), $"trial {trial}: map of part {p} entry {i}");
        }
    }

    [Fact]
    public void SparseMatrixMatchesDictionary()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            int rows = rng.Next(1, 6), cols = rng.Next(1, 60);
            var m = new SparseMatrix(rows, cols);
            var reference = new Dictionary<(int, int), double>();
            for (int op = 0; op < 300; op++)
            {
                int r = rng.Next(rows), c = rng.Next(cols);
                double v = rng.Next(-2, 3);
                if (rng.Next(2) == 0)
                {
                    m.Add(r, c, v);
                    double sum = reference.GetValueOrDefault((r, c)) + v;
                    if (sum == 0) reference.Remove((r, c)); else reference[(r, c)] = sum;
                }
                else
                {
                    m[r, c] = v;
                    if (v == 0) reference.Remove((r, c)); else reference[(r, c)] = v;
                }
                if (op % 50 == 0) Assert.Equal(reference.GetValueOrDefault((r, c)), m[r, c]);
            }
            var entries = m.Entries.ToList();
            Assert.Equal(reference.Count, entries.Count);
            Assert.Equal(reference.Count, m.NonZeroCount);
            foreach (var (r, c, v) in entries) Assert.Equal(reference[(r, c)], v);
        }
    }

    [Fact]
    public void CompiledWeightsAreTheSameSparseOrDense()
    {
        var model = RaspCompiler.Compile(Rasp.Library.ProgramRegistry.Get("sort_unique_tokens").Build(),
            Rasp.Library.ProgramRegistry.Get("sort_unique_tokens").Settings);
        foreach (var layer in model.Layers)
        {
            foreach (var h in layer.Heads)
            {
                Assert.Equal(h.WQk, h.SparseWQk.ToDense());
                Assert.Equal(h.WQk, SparseWeights.FromDense(h.WQk).ToDense());
                Assert.Equal(h.QueryDims.Length, h.WQk.GetLength(0));
            }
            if (layer.Mlp is { } mlp)
            {
                Assert.Equal(mlp.HiddenSize, mlp.W1.GetLength(1));
                Assert.Equal(mlp.W2, SparseWeights.FromDense(mlp.W2).ToDense());
                var dense = new CompiledMlp(mlp.Nodes, mlp.InputDims, mlp.W1, mlp.OutputDims, mlp.W2, mlp.HiddenLabels);
                Assert.Equal(mlp.SparseW1.Values, dense.SparseW1.Values);
                Assert.Equal(mlp.SparseW1.Columns, dense.SparseW1.Columns);
                Assert.Equal(mlp.SparseW1.RowStart, dense.SparseW1.RowStart);
            }
        }
    }
}
