namespace MobileViT.Modeling;

/// <summary>The three MobileViT v1 sizes from the paper (Hugging Face names mobilevit-xx-small, -x-small, -small).</summary>
public enum MobileViTVariant
{
    Xxs,
    Xs,
    S,
}

public static class MobileViTVariants
{
    public static bool TryParse(string? text, out MobileViTVariant variant)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "xxs": variant = MobileViTVariant.Xxs; return true;
            case "xs": variant = MobileViTVariant.Xs; return true;
            case "s": variant = MobileViTVariant.S; return true;
            default: variant = default; return false;
        }
    }

    public static string ToName(this MobileViTVariant variant) => variant switch
    {
        MobileViTVariant.Xxs => "xxs",
        MobileViTVariant.Xs => "xs",
        MobileViTVariant.S => "s",
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };
}
