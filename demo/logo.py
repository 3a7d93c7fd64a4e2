from io import BytesIO

from PIL import Image, ImageDraw, ImageFont


def draw_logo(name: str, colour: str) -> BytesIO:
    """A simple round emblem with the commune's initials, for the demo."""
    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, size - 4, size - 4), fill="white", outline=colour, width=14)
    initials = "".join(part[0] for part in name.replace("-", " ").split() if part[0].isupper())[:3]
    font = ImageFont.load_default(size=110 if len(initials) < 3 else 84)
    draw.text((size / 2, size / 2), initials, fill=colour, font=font, anchor="mm")
    data = BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return data
