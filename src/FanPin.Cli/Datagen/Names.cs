namespace FanPin.Cli.Datagen;

/// <summary>Synthetic Chinese names: a common surname and one or two given-name characters, from a hash (no random draws used).</summary>
internal static class Names
{
    private static readonly byte[][] Surnames = Split(
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文");

    private static readonly byte[][] MaleGiven = Split("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志成兴福海东");

    private static readonly byte[][] FemaleGiven = Split("芳娜敏静丽艳娟霞秀英华慧巧美玲桂兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛红燕");

    private static byte[][] Split(string chars) => chars.EnumerateRunes().Select(r => U8.Of(r.ToString())).ToArray();

    /// <summary>
    /// Writes the name of member <paramref name="member"/> of household <paramref name="household"/>; the head, children and
    /// grandchildren share the household's surname, others have their own.
    /// </summary>
    public static void Write(ByteSink sink, int household, int member, bool male, bool familySurname)
    {
        var hash = Rng.Mix(((ulong)household << 4) + (ulong)member + 0x1234_5678UL);
        var surname = familySurname ? Rng.Mix((ulong)household + 0x51UL) : hash;
        sink.Write(Surnames[(int)(surname % (ulong)Surnames.Length)]);
        var given = male ? MaleGiven : FemaleGiven;
        sink.Write(given[(int)((hash >> 8) % (ulong)given.Length)]);
        if ((hash & 3) != 0)
        {
            sink.Write(given[(int)((hash >> 24) % (ulong)given.Length)]);
        }
    }
}
