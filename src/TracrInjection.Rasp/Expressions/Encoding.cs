namespace TracrInjection.Rasp.Expressions;

/// <summary>How an SOp's value is laid out in the residual stream: one direction per value, or one magnitude.</summary>
public enum Encoding { Categorical, Numerical }

public static class EncodingExtensions
{
    /// <summary>The spelling tracr's error messages use (<c>Encoding.CATEGORICAL</c>).</summary>
    public static string PythonName(this Encoding e) => e == Encoding.Categorical ? "Encoding.CATEGORICAL" : "Encoding.NUMERICAL";
    public static string Lower(this Encoding e) => e == Encoding.Categorical ? "categorical" : "numerical";
}
