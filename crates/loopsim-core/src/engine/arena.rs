//! An index arena with a free list: slots are reused, so steady-state simulation allocates
//! nothing. Generations let a late event (a timeout, a response) detect that the slot it names
//! now holds something else.

use alloc::vec::Vec;

#[derive(Debug)]
struct Slot<T> {
    value: Option<T>,
    generation: u32,
}

#[derive(Debug)]
pub struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: u32,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<T> Arena<T> {
    /// Stores `value`; returns its index and generation.
    #[inline]
    pub fn insert(&mut self, value: T) -> (u32, u32) {
        self.live += 1;
        if let Some(i) = self.free.pop() {
            let slot = &mut self.slots[i as usize];
            slot.value = Some(value);
            (i, slot.generation)
        } else {
            self.slots.push(Slot {
                value: Some(value),
                generation: 0,
            });
            (self.slots.len() as u32 - 1, 0)
        }
    }

    #[inline]
    pub fn remove(&mut self, i: u32) -> Option<T> {
        let slot = &mut self.slots[i as usize];
        let v = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(i);
        self.live -= 1;
        Some(v)
    }

    #[inline]
    pub fn get(&self, i: u32) -> Option<&T> {
        self.slots.get(i as usize)?.value.as_ref()
    }

    #[inline]
    pub fn get_mut(&mut self, i: u32) -> Option<&mut T> {
        self.slots.get_mut(i as usize)?.value.as_mut()
    }

    /// The value at `i` only if it is still the one issued with `generation`.
    #[inline]
    pub fn get_mut_checked(&mut self, i: u32, generation: u32) -> Option<&mut T> {
        let slot = self.slots.get_mut(i as usize)?;
        if slot.generation == generation {
            slot.value.as_mut()
        } else {
            None
        }
    }

    pub fn len(&self) -> u32 {
        self.live
    }

    /// Live values with their indices.
    pub fn iter_indexed(&self) -> impl Iterator<Item = (u32, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i as u32, s.value.as_ref()?)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.slots.iter_mut().filter_map(|s| s.value.as_mut())
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|s| s.value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_slots_and_bumps_generation() {
        let mut a = Arena::default();
        let (i, g) = a.insert(1);
        assert_eq!(a.remove(i), Some(1));
        let (j, h) = a.insert(2);
        assert_eq!(i, j);
        assert_ne!(g, h);
        assert!(a.get_mut_checked(i, g).is_none());
        assert_eq!(a.get_mut_checked(i, h), Some(&mut 2));
        assert_eq!(a.len(), 1);
    }
}
