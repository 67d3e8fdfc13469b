using System.Collections.Generic;
using E2ENet.Compiler.Errors;

namespace E2ENet.Data
{
    /// <summary>
    /// The catalogue of every problem the data library reports (volumes, datasets, preprocessing, inference,
    /// evaluation). Ids are stable: once shipped, an id keeps its meaning. Each one is documented in docs/data.md
    /// (a test checks that). Ranges: E40xx volume files, E41xx datasets, E42xx preprocessing and training data,
    /// E43xx inference, E44xx evaluation.
    /// </summary>
    public static class DataErrors
    {
        // ---- E40xx: volume files -----------------------------------------------------------------------------

        /// <summary>A file that does not exist or cannot be opened.</summary>
        public static readonly ErrorDescriptor FileNotReadable = new ErrorDescriptor("E4001", "File not readable",
            "check the path and the file's permissions");

        /// <summary>Not a NIfTI file at all (wrong header size or magic).</summary>
        public static readonly ErrorDescriptor NotNifti = new ErrorDescriptor("E4002", "Not a NIfTI file",
            "give a NIfTI-1 or NIfTI-2 single file (.nii or .nii.gz); convert other formats first");

        /// <summary>A NIfTI variant this reader does not take (two-file .hdr/.img pairs).</summary>
        public static readonly ErrorDescriptor UnsupportedVariant = new ErrorDescriptor("E4003", "Unsupported NIfTI variant",
            "convert it to a single .nii or .nii.gz file (for example with nibabel: nib.save(nib.load(f), 'out.nii.gz'))");

        /// <summary>dim[] out of range: dim[0] not in 1..7, a negative or zero size.</summary>
        public static readonly ErrorDescriptor BadDimensions = new ErrorDescriptor("E4004", "Invalid dimensions",
            "the header's dim[] field is corrupt; re-export the image");

        /// <summary>A header that claims more voxels than the reader's limit (or than memory can hold).</summary>
        public static readonly ErrorDescriptor TooLarge = new ErrorDescriptor("E4005", "Volume too large",
            "the header is corrupt, or the volume is larger than the limit: crop or downsample it, or raise NiftiReadOptions.MaxVoxels");

        /// <summary>A datatype code this reader does not support (complex, RGB, bit, float128) or does not know.</summary>
        public static readonly ErrorDescriptor UnsupportedDataType = new ErrorDescriptor("E4006", "Unsupported voxel type",
            "convert the image to an integer or floating-point type (uint8, int16, int32, float32, float64...)");

        /// <summary>vox_offset before the end of the header, not an integer, or past the end of the file.</summary>
        public static readonly ErrorDescriptor BadVoxOffset = new ErrorDescriptor("E4007", "Invalid vox_offset",
            "the header's vox_offset field is corrupt, or the file was cut; re-export the image");

        /// <summary>Fewer voxel bytes than the header claims.</summary>
        public static readonly ErrorDescriptor Truncated = new ErrorDescriptor("E4008", "Truncated file",
            "the file was cut short (an interrupted copy or download?); copy it again");

        /// <summary>A gzip or zlib stream that cannot be decompressed or whose checksum does not match.</summary>
        public static readonly ErrorDescriptor CorruptCompression = new ErrorDescriptor("E4009", "Corrupt compressed data",
            "the file is damaged; copy it again (check a .gz file with 'gzip -t')");

        /// <summary>NaN or infinite voxel values.</summary>
        public static readonly ErrorDescriptor NonFiniteVoxels = new ErrorDescriptor("E4010", "NaN or infinite voxels",
            "replace them (for example with 0) before using the image, or fix the tool that wrote it");

        /// <summary>scl_slope or scl_inter infinite.</summary>
        public static readonly ErrorDescriptor BadScaling = new ErrorDescriptor("E4011", "Invalid intensity scaling",
            "the header's scl_slope/scl_inter fields are corrupt; re-export the image");

        /// <summary>Spacing zero, negative or not finite; quaternion or affine invalid.</summary>
        public static readonly ErrorDescriptor BadGeometry = new ErrorDescriptor("E4012", "Invalid geometry",
            "the header's pixdim, qform or sform fields are corrupt; fix the spacing and orientation, or re-export the image");

        /// <summary>A volume with more than three non-trivial dimensions where one 3D volume is needed.</summary>
        public static readonly ErrorDescriptor NotThreeDimensional = new ErrorDescriptor("E4013", "Not a 3D volume",
            "split 4D images into one 3D file per channel (NAME_0000.nii.gz, NAME_0001.nii.gz, ...)");

        /// <summary>A file that cannot be written, or values that the chosen voxel type cannot hold.</summary>
        public static readonly ErrorDescriptor CannotWrite = new ErrorDescriptor("E4014", "Cannot write volume",
            "check the folder exists and is writable, and that the voxel type can hold the values");

        /// <summary>A file name whose format is not known.</summary>
        public static readonly ErrorDescriptor UnknownFormat = new ErrorDescriptor("E4015", "Unknown file format",
            "name the file .nii.gz, .nii, .mha, .mhd, .nrrd or .nhdr (the formats read and written)");

        /// <summary>A MetaImage header that is not 'Key = Value' lines, lacks a required field, or has a malformed one.</summary>
        public static readonly ErrorDescriptor BadMetaImageHeader = new ErrorDescriptor("E4016", "Invalid MetaImage header",
            "fix the named line of the .mha/.mhd header (Key = Value lines: NDims, DimSize, ElementType, ..., ElementDataFile last), or re-export the image");

        /// <summary>A NRRD header without the NRRD000X magic, a required field, or with a malformed field.</summary>
        public static readonly ErrorDescriptor BadNrrdHeader = new ErrorDescriptor("E4017", "Invalid NRRD header",
            "fix the named line of the .nrrd/.nhdr header (NRRD0004, then 'field: value' lines: type, dimension, sizes, encoding, ...), or re-export the image");

        /// <summary>A valid file that stores its voxels in a way not read here (ASCII, bzip2, several data files, time spaces).</summary>
        public static readonly ErrorDescriptor UnsupportedStorage = new ErrorDescriptor("E4018", "Unsupported voxel storage",
            "save the image as one 3D scalar volume with raw or gzip/zlib-compressed binary data (.nii.gz, .mha or .nrrd)");

        // ---- E41xx: datasets ---------------------------------------------------------------------------------

        /// <summary>The dataset folder does not exist.</summary>
        public static readonly ErrorDescriptor DatasetNotFound = new ErrorDescriptor("E4101", "Dataset folder not found",
            "give the folder that holds dataset.json, imagesTr/ and labelsTr/");

        /// <summary>No dataset.json in the folder.</summary>
        public static readonly ErrorDescriptor DatasetJsonMissing = new ErrorDescriptor("E4102", "dataset.json missing",
            "write a dataset.json (see docs/data.md), or run 'e2enet dataset make-demo' for an example");

        /// <summary>dataset.json is not valid JSON, or a key is missing or has the wrong type.</summary>
        public static readonly ErrorDescriptor DatasetJsonInvalid = new ErrorDescriptor("E4103", "dataset.json invalid",
            "fix dataset.json: it needs channel_names (or modality), labels, numTraining and file_ending (see docs/data.md)");

        /// <summary>The labels of dataset.json are not usable: no background 0, duplicates, gaps, region-based.</summary>
        public static readonly ErrorDescriptor LabelsInvalid = new ErrorDescriptor("E4104", "Labels invalid",
            "declare labels as {\"background\": 0, \"name\": 1, ...}: background 0, then 1, 2, ... without gaps");

        /// <summary>A case lacks a channel image.</summary>
        public static readonly ErrorDescriptor MissingImage = new ErrorDescriptor("E4105", "Missing image",
            "add the file, or remove the case from dataset.json's training list");

        /// <summary>A training case lacks its label file.</summary>
        public static readonly ErrorDescriptor MissingLabel = new ErrorDescriptor("E4106", "Missing label",
            "add labelsTr/NAME + file_ending, or remove the case");

        /// <summary>A file in imagesTr/labelsTr/imagesTs that belongs to no case or channel.</summary>
        public static readonly ErrorDescriptor ExtraFile = new ErrorDescriptor("E4107", "Unexpected file",
            "remove or rename it: images are NAME_XXXX + file_ending (XXXX the 4-digit channel), labels NAME + file_ending");

        /// <summary>numTraining differs from the number of training cases found.</summary>
        public static readonly ErrorDescriptor CountMismatch = new ErrorDescriptor("E4108", "numTraining mismatch",
            "set numTraining to the number of training cases");

        /// <summary>Channels and label of a case have different shapes.</summary>
        public static readonly ErrorDescriptor ShapeMismatch = new ErrorDescriptor("E4109", "Shape mismatch",
            "every channel and the label of a case must have the same voxel grid; resample them onto one grid");

        /// <summary>Channels and label of a case have different spacings.</summary>
        public static readonly ErrorDescriptor SpacingMismatch = new ErrorDescriptor("E4110", "Spacing mismatch",
            "every channel and the label of a case must have the same voxel spacing; resample them onto one grid");

        /// <summary>Channels and label of a case have different orientation or origin.</summary>
        public static readonly ErrorDescriptor AffineMismatch = new ErrorDescriptor("E4111", "Orientation mismatch",
            "every channel and the label of a case must share origin and direction (the affine); fix the headers or resample");

        /// <summary>A label file holds values that dataset.json does not declare.</summary>
        public static readonly ErrorDescriptor UndeclaredLabel = new ErrorDescriptor("E4112", "Undeclared label value",
            "declare the value in dataset.json's labels, or fix the label file");

        /// <summary>A label file with no foreground.</summary>
        public static readonly ErrorDescriptor EmptyLabel = new ErrorDescriptor("E4113", "Empty label",
            "a training case without any foreground teaches only background; check the file, or remove the case");

        /// <summary>A label file with non-integer (or negative) values.</summary>
        public static readonly ErrorDescriptor NonIntegerLabel = new ErrorDescriptor("E4114", "Non-integer label values",
            "labels must be whole numbers 0, 1, 2, ...; write label maps with an integer voxel type");

        /// <summary>A dataset without any training case.</summary>
        public static readonly ErrorDescriptor NoCases = new ErrorDescriptor("E4115", "No training cases",
            "put images in imagesTr/ and labels in labelsTr/ (see docs/data.md)");

        /// <summary>A model whose channels or classes do not match the dataset.</summary>
        public static readonly ErrorDescriptor ModelMismatch = new ErrorDescriptor("E4116", "Model does not fit the dataset",
            "set the model's input.channels and classes to the dataset's channel and label counts");

        /// <summary>A case name that is not usable as a file name, or duplicated.</summary>
        public static readonly ErrorDescriptor BadCaseName = new ErrorDescriptor("E4117", "Invalid case name",
            "case names must be unique and made of letters, digits, '_', '-' and '.'");

        /// <summary>A multi-modal (4D) image whose number of volumes is not the number of channels declared.</summary>
        public static readonly ErrorDescriptor ChannelCountMismatch = new ErrorDescriptor("E4118", "Channel count mismatch",
            "a 4D image holds one volume per modality: make dataset.json's modality list and the image's 4th dimension agree");

        // ---- E42xx: preprocessing and training data ----------------------------------------------------------

        /// <summary>A preprocessed folder or plan that cannot be read.</summary>
        public static readonly ErrorDescriptor PreprocessedInvalid = new ErrorDescriptor("E4201", "Preprocessed data invalid",
            "delete the preprocessed folder and run 'e2enet dataset preprocess' again");

        /// <summary>Settings that cannot work (a patch that is not positive, a zero spacing, no cases in a fold).</summary>
        public static readonly ErrorDescriptor InvalidSettings = new ErrorDescriptor("E4202", "Invalid settings",
            "change the value the message names to one in the range it gives");

        /// <summary>A background worker of the batch loader failed.</summary>
        public static readonly ErrorDescriptor WorkerFailed = new ErrorDescriptor("E4203", "Data worker failed",
            "see the inner error; the loader stopped and must be recreated");

        /// <summary>A splits file that cannot be used.</summary>
        public static readonly ErrorDescriptor SplitsInvalid = new ErrorDescriptor("E4204", "Splits invalid",
            "fix splits_final.json: a list of {\"train\": [...], \"val\": [...]} naming existing cases, or delete it");

        /// <summary>A command that writes a new dataset was given a folder that already has content.</summary>
        public static readonly ErrorDescriptor OutputFolderNotEmpty = new ErrorDescriptor("E4205", "Output folder not empty",
            "give a new or empty folder, or write into this one on purpose with --force (files of the same names are replaced)");

        // ---- E43xx: inference --------------------------------------------------------------------------------

        /// <summary>A predictor that returned a tensor of the wrong shape.</summary>
        public static readonly ErrorDescriptor PredictorShape = new ErrorDescriptor("E4301", "Predictor output has the wrong shape",
            "the predictor must return logits (B, classes, D, H, W) for an input (B, C, D, H, W)");

        /// <summary>A predictor that returned NaN or infinite logits.</summary>
        public static readonly ErrorDescriptor PredictorNonFinite = new ErrorDescriptor("E4302", "Predictor output not finite",
            "the network produced NaN or infinite logits; check its weights and the input normalization");

        /// <summary>An input whose channels do not match the predictor or the plan.</summary>
        public static readonly ErrorDescriptor InputMismatch = new ErrorDescriptor("E4303", "Input does not fit",
            "give one image per channel of the plan, on one voxel grid");

        /// <summary>A probabilities file (<c>predict --save-probabilities</c>) that cannot be read back.</summary>
        public static readonly ErrorDescriptor ProbabilitiesInvalid = new ErrorDescriptor("E4304", "Probabilities file invalid",
            "give a CASE.npz written by e2enet predict --save-probabilities (one float32 array 'probabilities' of shape (classes, D, H, W)); predict again if it is damaged");

        /// <summary>A postprocessing decision file that is malformed or was decided for other labels.</summary>
        public static readonly ErrorDescriptor PostprocessingInvalid = new ErrorDescriptor("E4305", "Postprocessing decision invalid",
            "give the JSON file e2enet summarize wrote for this model's runs, or --postprocess largest-component / largest-foreground");

        // ---- E44xx: evaluation -------------------------------------------------------------------------------

        /// <summary>A prediction folder or reference folder that does not exist or holds no volumes.</summary>
        public static readonly ErrorDescriptor EvaluationFolder = new ErrorDescriptor("E4401", "Evaluation folder invalid",
            "give folders that hold label maps (.nii.gz, .nii, .mha, .mhd, .nrrd, .nhdr) with matching names");

        /// <summary>Predictions and references that do not pair up.</summary>
        public static readonly ErrorDescriptor Unpaired = new ErrorDescriptor("E4402", "Unpaired files",
            "every prediction needs a reference of the same name and every reference a prediction");

        /// <summary>A prediction on another voxel grid than its reference.</summary>
        public static readonly ErrorDescriptor GridMismatch = new ErrorDescriptor("E4403", "Prediction and reference grids differ",
            "write predictions on the reference's grid (same shape, spacing and affine)");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All { get; } = new[]
        {
            FileNotReadable, NotNifti, UnsupportedVariant, BadDimensions, TooLarge, UnsupportedDataType, BadVoxOffset,
            Truncated, CorruptCompression, NonFiniteVoxels, BadScaling, BadGeometry, NotThreeDimensional, CannotWrite,
            UnknownFormat, BadMetaImageHeader, BadNrrdHeader, UnsupportedStorage,
            DatasetNotFound, DatasetJsonMissing, DatasetJsonInvalid, LabelsInvalid, MissingImage, MissingLabel, ExtraFile,
            CountMismatch, ShapeMismatch, SpacingMismatch, AffineMismatch, UndeclaredLabel, EmptyLabel, NonIntegerLabel,
            NoCases, ModelMismatch, BadCaseName, ChannelCountMismatch,
            PreprocessedInvalid, InvalidSettings, WorkerFailed, SplitsInvalid, OutputFolderNotEmpty,
            PredictorShape, PredictorNonFinite, InputMismatch, ProbabilitiesInvalid, PostprocessingInvalid,
            EvaluationFolder, Unpaired, GridMismatch,
        };
    }
}
