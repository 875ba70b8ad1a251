using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Perennial.Pages.O;

/// <summary>
/// The ISMS sections not yet built out. Each says what will appear there; as a feature lands it
/// gets its own pages and leaves this list.
/// </summary>
public sealed class SectionModel : PageModel
{
    private static readonly Dictionary<string, (string Heading, string Text)> Sections = new(StringComparer.Ordinal)
    {
        ["reviews"] = ("Management reviews", "Management reviews with every required input assembled from the data, and the decisions and actions they record."),
    };

    public string Key { get; private set; } = "";
    public string Heading { get; private set; } = "";
    public string WhatWillAppear { get; private set; } = "";

    public IActionResult OnGet(string section)
    {
        if (!Sections.TryGetValue(section, out var s))
        {
            return NotFound();
        }

        (Key, Heading, WhatWillAppear) = (section, s.Heading, s.Text);
        return Page();
    }
}
