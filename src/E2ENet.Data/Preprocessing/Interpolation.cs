namespace E2ENet.Data.Preprocessing
{
    /// <summary>Interpolation order along one axis (scipy/skimage's 'order').</summary>
    public enum Interpolation
    {
        /// <summary>Order 0: nearest neighbour.</summary>
        Nearest = 0,

        /// <summary>Order 1: linear.</summary>
        Linear = 1,

        /// <summary>Order 3: cubic B-spline, with the spline prefilter (interpolating: samples are reproduced exactly).</summary>
        Cubic = 3,
    }
}
