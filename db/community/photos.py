"""Photos with a proposal: at most three, images only, each file size-limited, and never kept as sent. Each is
decoded by Pillow (its real format, whatever its name says; its size checked before it is decoded), turned
upright, reduced to PHOTO_EDGE and saved again as a plain JPEG, so no EXIF (place, device), comment or anything
else of the file survives. Stored in the database beside the proposal; the public board shows the JPEGs."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.community import rules
from db.errors import DomainError
from db.models.community import ProposalPhoto


@dataclass(frozen=True)
class Photo:
    content: bytes  # a JPEG made here
    width: int
    height: int


def reencode(data: bytes, number: int) -> Photo:
    """The photo as a clean JPEG; a refusal naming the photo's number and the rule otherwise."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise DomainError("cm.error.photo_not_image", field="photos", n=number)
    if len(data) > rules.PHOTO_BYTES_MAX:
        raise DomainError("cm.error.photo_too_large", field="photos", n=number,
                          mb=rules.PHOTO_BYTES_MAX // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in rules.PHOTO_FORMATS:
                raise DomainError("cm.error.photo_not_image", field="photos", n=number)
            if image.width * image.height > rules.PHOTO_PIXELS_MAX:
                raise DomainError("cm.error.photo_too_large", field="photos", n=number,
                                  mb=rules.PHOTO_BYTES_MAX // (1024 * 1024))
            image.seek(0)  # an animation's first frame
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        raise DomainError("cm.error.photo_not_image", field="photos", n=number) from None
    upright.thumbnail((rules.PHOTO_EDGE, rules.PHOTO_EDGE))
    # a new image of the pixels alone: Pillow would otherwise write the file's comment (its .info) back out
    clean = Image.frombytes("RGB", upright.size, upright.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return Photo(out.getvalue(), clean.width, clean.height)


def reencode_all(files: list[bytes] | None) -> list[Photo]:
    """Up to PHOTOS_MAX files, each re-encoded; a refusal before anything is written otherwise."""
    files = list(files or [])
    if len(files) > rules.PHOTOS_MAX:
        raise DomainError("cm.error.photo_count", field="photos", max=rules.PHOTOS_MAX)
    return [reencode(data, number) for number, data in enumerate(files, start=1)]


def rows(proposal_id: int, photos: list[Photo]) -> list[ProposalPhoto]:
    return [ProposalPhoto(proposal_id=proposal_id, position=position, content=photo.content, width=photo.width,
                          height=photo.height) for position, photo in enumerate(photos, start=1)]


def photos_of(engine: Engine, proposal_ids: list[int]) -> pd.DataFrame:
    """proposal_id, position, content (JPEG bytes) of the proposals' photos, in order."""
    if not proposal_ids:
        return pd.DataFrame(columns=["proposal_id", "position", "content"])
    query = (select(ProposalPhoto.proposal_id, ProposalPhoto.position, ProposalPhoto.content)
             .where(ProposalPhoto.proposal_id.in_([int(i) for i in proposal_ids]))
             .order_by(ProposalPhoto.proposal_id, ProposalPhoto.position))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["proposal_id", "position", "content"])
