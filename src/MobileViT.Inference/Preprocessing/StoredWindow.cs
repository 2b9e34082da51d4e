namespace MobileViT.Inference.Preprocessing;

/// <summary>A rectangle of stored pixels: rows <c>[RowStart, RowEnd)</c>, columns <c>[ColumnStart, ColumnEnd)</c>.</summary>
internal readonly record struct StoredWindow(int RowStart, int RowEnd, int ColumnStart, int ColumnEnd)
{
    public int Rows => RowEnd - RowStart;
}
