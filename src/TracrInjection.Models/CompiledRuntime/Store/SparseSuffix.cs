namespace TracrInjection.Models.CompiledRuntime;

/// <summary>The tensor-name suffixes of a matrix stored in compressed sparse rows (format version 2).</summary>
internal static class SparseSuffix
{
    public const string RowStart = ".sparse_row_start";
    public const string Columns = ".sparse_columns";
    public const string Values = ".sparse_values";
}
