namespace MobileViT.Inference.Preprocessing;

/// <summary>How closely preprocessing reproduces Hugging Face's pipeline.</summary>
public enum PreprocessingMode
{
    /// <summary>Bit-identical to Hugging Face's image processor on Pillow: full-resolution decode, Pillow's bilinear resize.</summary>
    Exact,

    /// <summary>
    /// JPEGs are decoded at a reduced DCT scale (1/2, 1/4 or 1/8: the smallest whose short side is still at least twice
    /// the resize target, as Pillow's <c>Image.draft</c> chooses), then resized exactly. Other formats as in <see cref="Exact"/>.
    /// </summary>
    Fast,
}
