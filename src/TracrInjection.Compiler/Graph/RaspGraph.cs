using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Graph;

/// <summary>One node of the compiler's graph, keyed by the expression's label (tracr's node attribute dict).</summary>
public sealed class GraphNode(string label, RaspExpr expr)
{
    public string Label { get; } = label;
    public RaspExpr Expr { get; } = expr;
    public ValueSet? ValueSet { get; set; }
    public VectorSpace? OutputSpace { get; set; }
    public CraftBlock? Block { get; set; }
    public List<string> Successors { get; } = [];
    public List<string> Predecessors { get; } = [];
    /// <summary>Position in <see cref="RaspGraph.Nodes"/>.</summary>
    internal int Index { get; init; }
    /// <summary>The predecessor nodes, in <see cref="Predecessors"/>' order.</summary>
    internal List<GraphNode> PredecessorNodes { get; } = [];
}

/// <summary>The RASP program as a data-flow graph (child → parent), nodes in first-discovery order.</summary>
public sealed class RaspGraph
{
    private readonly Dictionary<string, GraphNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<GraphNode> _order = [];

    public IReadOnlyList<GraphNode> Nodes => _order;
    public GraphNode Sink { get; private set; } = null!;
    /// <summary>Leaves (each once), in the order they are first expanded.</summary>
    public List<GraphNode> Sources { get; } = [];
    public GraphNode this[string label] => _nodes[label];
    public bool TryGet(string label, out GraphNode node) => _nodes.TryGetValue(label, out node!);

    /// <summary>tracr's <c>extract_rasp_graph</c>: breadth-first from the output; labels are first read here.</summary>
    public static RaspGraph Extract(SOp tip, bool separateLabelCollisions = false)
    {
        var g = new RaspGraph { _separateCollisions = separateLabelCollisions };
        g.Sink = g.Ensure(tip);
        var queue = new Queue<RaspExpr>();
        // tracr re-expands an expression every time it is reached; with shared sub-programs that is exponential,
        // and a second expansion can neither create a node nor change the discovery order, so it is skipped.
        var expanded = new HashSet<RaspExpr>(ReferenceEqualityComparer.Instance);
        queue.Enqueue(tip);
        while (queue.Count > 0)
        {
            var expr = queue.Dequeue();
            if (!expanded.Add(expr)) continue;
            var parent = g.Ensure(expr);
            if (expr.Children.Count == 0 && !g.Sources.Contains(parent)) g.Sources.Add(parent);
            foreach (var child in expr.Children)
            {
                queue.Enqueue(child);
                var c = g.Ensure(child);
                // networkx add_edge is idempotent for a simple DiGraph.
                if (!c.Successors.Contains(parent.Label))
                {
                    c.Successors.Add(parent.Label);
                    parent.Predecessors.Add(c.Label);
                    parent.PredecessorNodes.Add(c);
                }
            }
        }
        return g;
    }

    public int EdgeCount => _order.Sum(n => n.Successors.Count);

    /// <summary>The node label an expression was given in this graph (its own label unless a collision was separated).</summary>
    public string LabelOf(RaspExpr expr) => _labelOf.TryGetValue(expr, out var l) ? l : expr.Label;

    public GraphNode NodeOf(RaspExpr expr) => _nodes[LabelOf(expr)];

    private bool _separateCollisions;
    private readonly Dictionary<RaspExpr, string> _labelOf = new(ReferenceEqualityComparer.Instance);

    private GraphNode Ensure(RaspExpr expr)
    {
        if (_labelOf.TryGetValue(expr, out var known)) return _nodes[known];
        string label = expr.Label;
        if (_nodes.TryGetValue(label, out var n))
        {
            // tracr merges different objects that share a label (bug B14: x and numerical(x) after x.label was
            // read). Annotated copies of the primitives are the same input, so merging those is right.
            bool primitive = expr is TokensType or IndicesType or LengthType;
            if (!_separateCollisions || primitive || ReferenceEquals(n.Expr, expr))
            {
                _labelOf[expr] = label;
                return n;
            }
            int k = 2;
            while (_nodes.ContainsKey($"{label}_{k}")) k++;
            label = $"{label}_{k}";
        }
        _labelOf[expr] = label;
        n = new GraphNode(label, expr) { Index = _order.Count };
        _nodes[label] = n;
        _order.Add(n);
        return n;
    }
}
