namespace TracrInjection.Rasp.Expressions;

/// <summary>A selector: an n×n boolean matrix indexed [query][key].</summary>
public abstract class Selector : RaspExpr
{
    public Selector Named(string name) => (Selector)CopyWith(name, null);

    public static Selector operator &(Selector a, Selector b) => Rasp.SelectorAnd(a, b);
    public static Selector operator |(Selector a, Selector b) => Rasp.SelectorOr(a, b);
    public static Selector operator !(Selector a) => Rasp.SelectorNot(a);
}
