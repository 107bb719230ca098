"""CVAT XML 1.1: the standard library reads our exports the way the keypoint tutorial does;
hand-written files from the format's documentation import; bad files name the line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from inklab.formats import (
    Dataset,
    Frame,
    ImportOptions,
    LabelSpec,
    MalformedFile,
    Shape,
    get_exporter,
    get_importer,
)
from inklab.formats.files import open_input
from inklab.vocabulary import LabelType, ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, materialize, sample_dataset

IMAGES = get_exporter("CVAT for images 1.1")
VIDEO = get_exporter("CVAT for video 1.1")


def _load(path: Path, name: str = "CVAT 1.1") -> Dataset:
    with open_input(path) as source:
        return materialize(get_importer(name).load(source, ImportOptions()))


def _xml(tmp_path: Path, fmt: object, dataset: Dataset) -> ET.Element:
    archive = export_to(fmt, dataset, tmp_path / "x.zip")  # type: ignore[arg-type]
    return ET.fromstring(zipfile.ZipFile(archive).read("annotations.xml"))


def test_roundtrips_with_images(tmp_path: Path) -> None:
    imported = assert_roundtrip(IMAGES, tmp_path, save_images=True)
    assert all(f.image is not None for f in imported.frames)
    assert "images/sub/frame_002.png" in zipfile.ZipFile(tmp_path / "export.zip").namelist()


def test_the_keypoint_tutorial_parser_reads_our_points(tmp_path: Path) -> None:
    # the tutorial's parse_cvat_keypoint_xml, reduced to what it reads
    keypoints = Dataset((LabelSpec("nose", LabelType.POINTS),), [
        Frame(0, "133196.jpg", 960, 768, shapes=(Shape(ShapeType.POINTS, "nose", (386.71, 297.11)),)),
        Frame(1, "245035.jpg", 768, 1152, shapes=(Shape(ShapeType.POINTS, "nose", (334.46, 319.58)),)),
    ])
    root = _xml(tmp_path, IMAGES, keypoints)
    data = {}
    for image in root.findall("image"):
        entry = {"Image ID": int(image.get("id")), "Image Name": image.get("name"),
                 "Width": int(image.get("width")), "Height": int(image.get("height")), "Keypoints": []}
        for points in image.findall("points"):
            x, y = points.get("points").split(",")
            entry["Keypoints"].append({"Label": points.get("label"), "x": float(x), "y": float(y)})
        data[image.get("id")] = entry
    assert data["0"] == {"Image ID": 0, "Image Name": "133196.jpg", "Width": 960, "Height": 768,
                         "Keypoints": [{"Label": "nose", "x": 386.71, "y": 297.11}]}
    assert data["1"]["Keypoints"] == [{"Label": "nose", "x": 334.46, "y": 319.58}]


def test_stdlib_reads_every_shape_element(tmp_path: Path) -> None:
    root = _xml(tmp_path, IMAGES, sample_dataset())
    assert root.findtext("version") == "1.1"
    labels = root.find("meta/task/labels").findall("label")
    assert [label.findtext("name") for label in labels] == ["car", "road", "person", "head", "hand", "scene"]
    assert [label.findtext("parent") for label in labels][3:5] == ["person", "person"]
    assert labels[0].find("attributes/attribute/values").text == "red\nblue"
    first = root.findall("image")[0]
    assert (first.get("name"), first.get("subset"), first.get("width")) == ("frame_000.png", "train", "64")
    box = first.find("box")
    assert (box.get("xtl"), box.get("ytl"), box.get("rotation"), box.get("occluded"), box.get("z_order"),
            box.get("group_id")) == ("5.50", "6.25", "30.00", "1", "2", "1")
    assert {a.get("name"): a.text for a in box.findall("attribute")}["plate"] == "AB 12"
    assert first.find("ellipse").get("rx") == "8.00" and first.find("ellipse").get("ry") == "6.00"
    assert first.find("polygon").get("points") == "1.00,40.00;60.00,40.00;60.00,47.00;1.00,47.00"
    assert len(first.find("cuboid").attrib) >= 16 + 4
    mask = first.find("mask")
    assert (mask.get("left"), mask.get("top"), mask.get("width"), mask.get("height")) == ("30", "10", "11", "10")
    assert sum(int(v) for v in mask.get("rle").split(",")) == 110
    skeleton = first.find("skeleton")
    head, hand = skeleton.findall("points")
    assert (head.get("label"), head.get("occluded"), hand.get("outside")) == ("head", "1", "0")
    assert first.find("tag").get("label") == "scene"
    # the box track appears on frames 0..2 with its id and keyframe marks, not on frame 3 (outside)
    tracked = [(int(img.get("id")), b.get("keyframe")) for img in root.findall("image") for b in img.findall("box")
               if b.get("track_id") is not None]
    assert tracked == [(0, "1"), (1, "0"), (2, "1")]
    second = root.findall("image")[1]
    assert [a.text for a in second.find("box").findall("attribute") if a.get("name") == "plate"] == [
        'X, Y; "Z" <&>']


def test_video_flavour_is_tracks_with_every_frame(tmp_path: Path) -> None:
    root = _xml(tmp_path, VIDEO, sample_dataset())
    assert root.findtext("meta/task/mode") == "interpolation"
    assert root.find("meta/task/original_size/width").text == "64"
    tracks = root.findall("track")
    box_track = next(t for t in tracks if t.get("group_id") == "2")
    frames = [(b.get("frame"), b.get("keyframe"), b.get("outside")) for b in box_track.findall("box")]
    assert frames == [("0", "1", "0"), ("1", "0", "0"), ("2", "1", "0"), ("3", "1", "1")]
    single = [t for t in tracks if t.find("ellipse") is not None]
    assert len(single) == 1 and [e.get("outside") for e in single[0].findall("ellipse")] == ["0", "1"]
    assert [t.get("frame") for t in root.findall("tag")] == ["0", "2"]


DOC_IMAGES = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>4</id>
      <name>segmentation</name>
      <size>27</size>
      <mode>annotation</mode>
      <labels>
        <label><name>car</name><attributes></attributes></label>
        <label><name>traffic_line</name><attributes></attributes></label>
        <label><name>wheel</name><attributes></attributes></label>
        <label><name>plate</name>
          <attributes>
            <attribute><name>kind</name><mutable>False</mutable><input_type>select</input_type>
              <default_value>eu</default_value><values>eu
us</values></attribute>
          </attributes>
        </label>
      </labels>
    </task>
  </meta>
  <image id="0" name="filename000.jpg" width="1600" height="1200">
    <box label="plate" xtl="797.33" ytl="870.92" xbr="965.52" ybr="928.94" occluded="0" z_order="4">
      <attribute name="kind">us</attribute>
    </box>
    <polygon label="car" points="561.30,916.23;561.30,842.77;554.72,761.63" occluded="1" z_order="1">
    </polygon>
    <polyline label="traffic_line" points="462.10,0.00;126.80,1200.00" occluded="0" z_order="3">
    </polyline>
    <points label="wheel" points="574.90,939.48;1170.16,907.90" occluded="0" z_order="5">
    </points>
    <tag label="good_frame" source="manual">
    </tag>
  </image>
</annotations>
"""

DOC_VIDEO = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><size>20</size><mode>interpolation</mode>
    <labels><label><name>car</name><attributes></attributes></label></labels></task></meta>
  <track id="0" label="car">
    <polygon frame="0" points="324.79,213.16;323.74,227.90;347.42,237.37" outside="0" occluded="0" keyframe="1">
    </polygon>
    <polygon frame="1" points="324.79,213.16;323.74,227.90;347.42,237.37" outside="1" occluded="0" keyframe="1">
    </polygon>
    <polygon frame="6" points="305.32,237.90;312.16,207.90;352.69,206.32" outside="0" occluded="0" keyframe="1">
    </polygon>
    <polygon frame="7" points="305.32,237.90;312.16,207.90;352.69,206.32" outside="0" occluded="0" keyframe="0">
    </polygon>
  </track>
</annotations>
"""


def test_import_of_the_documentation_examples(tmp_path: Path) -> None:
    (tmp_path / "annotations.xml").write_text(DOC_IMAGES)
    dataset = _load(tmp_path / "annotations.xml")
    assert [label.name for label in dataset.labels] == ["car", "traffic_line", "wheel", "plate"]
    assert dataset.labels[3].attributes[0].values == ("eu", "us")
    (frame,) = dataset.frames
    assert (frame.index, frame.name, frame.width, frame.height) == (0, "filename000.jpg", 1600, 1200)
    box, polygon, polyline, points = frame.shapes
    assert box.points == (797.33, 870.92, 965.52, 928.94) and box.z_order == 4 and box.attribute("kind") == "us"
    assert polygon.occluded and polygon.points[:2] == (561.30, 916.23)
    assert polyline.type == ShapeType.POLYLINE and points.type == ShapeType.POINTS and len(points.points) == 4
    assert frame.tags[0].label == "good_frame"
    # the video example, imported through the SDK's default format name
    (tmp_path / "video.xml").write_text(DOC_VIDEO)
    video = _load(tmp_path / "video.xml", "CVAT XML 1.1")
    (track,) = video.tracks
    assert [(s.frame, s.outside) for s in track.shapes] == [(0, False), (1, True), (6, False)]


@pytest.mark.parametrize(("text", "where"), [
    ("<annotations><image id='0' name='a.jpg'><box label='x' xtl='1' ytl='2' xbr='3'/></image></annotations>",
     "line 1, <box> attribute 'ybr': this attribute is required"),
    ("<annotations>\n<image id='0' name='a.jpg'>\n<polygon label='x' points='1,2;3'/></image></annotations>",
     "line 3, <polygon> attribute 'points': expected 'x,y;x,y;...'"),
    ("<annotations>\n<image id='zero' name='a.jpg'/></annotations>", "line 2, <image> attribute 'id'"),
    ("<annotations>\n<image id='0' name='a.jpg'>\n<box label='x' xtl='1' ytl='2' xbr='3' ybr='4'>\n</image>",
     "line 4, column 3: invalid XML (mismatched tag)"),
    ("<annotations><image id='0' name='a.jpg'><mask label='m' rle='1, 2' left='0' top='0' width='2' height='2'/>"
     "</image></annotations>", "<mask> attribute 'rle': the run lengths must cover"),
    ("<annotations><image id='0' name='a.jpg'><box label='x' xtl='1' ytl='2' xbr='3' ybr='4' source='ai'/>"
     "</image></annotations>", "<box> attribute 'source': unknown source 'ai'"),
    ("<annotations><track id='0' label='x'/></annotations>", "<track>: a track needs at least one shape"),
])
def test_bad_files_name_the_line_and_element(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "annotations.xml").write_text(text)
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path / "annotations.xml")
    assert where in str(info.value) and str(info.value).startswith("annotations.xml, "), str(info.value)


def test_a_zip_with_two_xml_files_is_ambiguous(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.writestr("a.xml", "<annotations/>")
        zf.writestr("b.xml", "<annotations/>")
    with pytest.raises(MalformedFile, match="two.zip: several .xml files"):
        _load(tmp_path / "two.zip")
