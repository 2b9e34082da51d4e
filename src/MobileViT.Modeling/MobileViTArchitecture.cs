namespace MobileViT.Modeling;

/// <summary>
/// Hyper-parameters of a MobileViT v1 variant, as in Hugging Face <c>MobileViTConfig</c> (defaults: 4 heads, MLP ratio 2,
/// 2x2 patches, 3x3 convolutions, LayerNorm eps 1e-5, SiLU, output stride 32, 1000 ImageNet classes).
/// </summary>
internal sealed record MobileViTArchitecture(
    MobileViTVariant Variant,
    IReadOnlyList<int> HiddenSizes,
    IReadOnlyList<int> NeckHiddenSizes,
    double ExpandRatio)
{
    public const int NumChannels = 3;
    public const int ImageSize = 256;
    public const int PatchSize = 2;
    public const int ConvKernelSize = 3;
    public const int NumAttentionHeads = 4;
    public const double MlpRatio = 2.0;
    public const float LayerNormEps = 1e-5f;
    public const float BatchNormEps = 1e-5f;
    public const int NumLabels = 1000;

    /// <summary>Transformer layers in the three MobileViT blocks (encoder layers 2, 3, 4).</summary>
    public static IReadOnlyList<int> TransformerDepths { get; } = new[] { 2, 4, 3 };

    /// <summary>Reference <c>sum(p.numel())</c> of the Hugging Face model (running statistics excluded).</summary>
    public long ReferenceParameterCount => Variant switch
    {
        MobileViTVariant.Xxs => 1_272_024,
        MobileViTVariant.Xs => 2_317_848,
        MobileViTVariant.S => 5_578_632,
        _ => throw new ArgumentOutOfRangeException(nameof(Variant)),
    };

    public static MobileViTArchitecture For(MobileViTVariant variant) => variant switch
    {
        MobileViTVariant.Xxs => new(variant, new[] { 64, 80, 96 }, new[] { 16, 16, 24, 48, 64, 80, 320 }, 2.0),
        MobileViTVariant.Xs => new(variant, new[] { 96, 120, 144 }, new[] { 16, 32, 48, 64, 80, 96, 384 }, 4.0),
        MobileViTVariant.S => new(variant, new[] { 144, 192, 240 }, new[] { 16, 32, 64, 96, 128, 160, 640 }, 4.0),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>Hidden width of an inverted residual block: HF <c>make_divisible(int(round(in * expand_ratio)), 8)</c>.</summary>
    public int ExpandedChannels(int inChannels) => MakeDivisible((int)Math.Round(inChannels * ExpandRatio, MidpointRounding.ToEven), 8);

    public static int MakeDivisible(int value, int divisor)
    {
        var rounded = Math.Max(divisor, (value + divisor / 2) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
