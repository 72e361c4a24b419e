//! Label placement without overlaps: a greedy pass in priority order (largest city first). Each
//! label tries a few positions around its anchor and takes the first one whose box is inside the
//! bounds and clear of every box already placed; a label that fits nowhere is left out rather
//! than drawn over another. Greedy is what cartographic engines do at this scale and keeps the
//! result deterministic.

use super::scene::Rect;

#[derive(Debug, Clone)]
pub struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
}

impl Placer {
    pub fn new(bounds: Rect) -> Self {
        Self {
            bounds,
            taken: Vec::new(),
        }
    }

    /// True if `r` is inside the bounds and overlaps nothing placed.
    pub fn is_free(&self, r: &Rect) -> bool {
        self.bounds.contains(r) && !self.taken.iter().any(|t| t.intersects(r))
    }

    /// True if all of `rs` are free (and do not overlap each other).
    pub fn are_free(&self, rs: &[Rect]) -> bool {
        rs.iter()
            .enumerate()
            .all(|(i, r)| self.is_free(r) && !rs[..i].iter().any(|o| o.intersects(r)))
    }

    /// Marks `r` as taken (even if outside the bounds: obstacles such as the legend).
    pub fn block(&mut self, r: Rect) {
        self.taken.push(r);
    }

    /// Takes the first candidate group whose boxes are all free; returns its index.
    pub fn place(&mut self, candidates: &[Vec<Rect>]) -> Option<usize> {
        let i = candidates.iter().position(|c| self.are_free(c))?;
        self.taken.extend_from_slice(&candidates[i]);
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_label_moves_or_is_dropped_but_never_overlaps() {
        let mut p = Placer::new(Rect::new(0.0, 0.0, 100.0, 100.0));
        let a = Rect::new(10.0, 10.0, 30.0, 10.0);
        assert_eq!(p.place(&[vec![a]]), Some(0));
        let b1 = Rect::new(20.0, 12.0, 30.0, 10.0);
        let b2 = Rect::new(20.0, 30.0, 30.0, 10.0);
        assert_eq!(p.place(&[vec![b1], vec![b2]]), Some(1));
        assert_eq!(p.place(&[vec![b1]]), None);
        let outside = Rect::new(90.0, 90.0, 30.0, 10.0);
        assert_eq!(p.place(&[vec![outside]]), None, "labels are never clipped");
    }
}
